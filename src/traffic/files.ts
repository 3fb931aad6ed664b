// Naming of the daily traffic files; kept apart from the record schema so the proxy's
// start path does not load the schema library.

/** The local calendar day of a moment, as used in traffic-YYYY-MM-DD.ndjson. */
export function localDay(moment: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`;
}

export const TRAFFIC_FILE_PATTERN = /^traffic-(\d{4}-\d{2}-\d{2})\.ndjson$/;

export function trafficFileName(day: string): string {
  return `traffic-${day}.ndjson`;
}
