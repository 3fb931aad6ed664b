// Retention of the traffic files. Staging and production answers hold care data, which must
// not be kept longer than needed, and a day of batch syncs can fill gigabytes: whole day files
// past ONS_PROXY_LOG_RETENTION_DAYS, or past ONS_PROXY_LOG_MAX_BYTES oldest first, are removed.
// Only regular files named like a day file are touched: never a link, a folder or another file.
import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { localDay, TRAFFIC_FILE_PATTERN } from './files.js';

export interface RetentionLimits {
  /** Days of files kept, today included; 0 keeps them all. */
  readonly days: number;
  /** Bytes of files kept in all; 0 is no limit. Today's file is never removed for size. */
  readonly maxBytes: number;
}

/** A profile's limits, as resolved from its settings and environment preset. */
export function retentionLimits(config: { readonly logRetentionDays: number | undefined; readonly logMaxBytes: number | undefined }): RetentionLimits {
  return { days: config.logRetentionDays ?? 0, maxBytes: config.logMaxBytes ?? 0 };
}

export interface RemovedFile {
  readonly name: string;
  readonly bytes: number;
  readonly reason: 'age' | 'size';
}

interface DayFile {
  readonly name: string;
  readonly day: string;
  readonly bytes: number;
}

/** Removes the day files past the limits; a missing folder has nothing to remove. */
export async function pruneTrafficFiles(logDir: string, limits: RetentionLimits, now: Date = new Date()): Promise<RemovedFile[]> {
  const files = await dayFiles(logDir);
  const today = localDay(now);
  const removed: RemovedFile[] = [];
  const remove = async (file: DayFile, reason: RemovedFile['reason']): Promise<void> => {
    // lstat again right before: a file swapped for a link since the listing is left alone
    // (unlink would remove the link itself, never its target, but it is not ours either).
    const info = await lstat(path.join(logDir, file.name)).catch(() => undefined);
    if (!info?.isFile()) return;
    await unlink(path.join(logDir, file.name));
    removed.push({ name: file.name, bytes: file.bytes, reason });
  };
  const oldestKept = limits.days > 0 ? localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - (limits.days - 1))) : undefined;
  const kept: DayFile[] = [];
  for (const file of files) {
    if (oldestKept !== undefined && file.day < oldestKept && file.day !== today) await remove(file, 'age');
    else kept.push(file);
  }
  if (limits.maxBytes > 0) {
    let total = kept.reduce((sum, file) => sum + file.bytes, 0);
    for (const file of kept) {
      if (total <= limits.maxBytes || file.day >= today) break;
      await remove(file, 'size');
      total -= file.bytes;
    }
  }
  return removed;
}

/** The regular traffic day files of the folder, oldest day first. */
async function dayFiles(logDir: string): Promise<DayFile[]> {
  let entries;
  try {
    entries = await readdir(logDir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: DayFile[] = [];
  for (const entry of entries) {
    const day = TRAFFIC_FILE_PATTERN.exec(entry.name)?.[1];
    // Dirent types come from lstat: a link named like a day file is a link here, and is skipped.
    if (day === undefined || !entry.isFile()) continue;
    const info = await lstat(path.join(logDir, entry.name)).catch(() => undefined);
    if (info?.isFile()) files.push({ name: entry.name, day, bytes: info.size });
  }
  return files.sort((a, b) => a.day.localeCompare(b.day));
}

/** "Removed 2 traffic files (1.4 GB): traffic-2026-11-01.ndjson, traffic-2026-11-02.ndjson (older than 7 days)." */
export function describeRemoved(logDir: string, removed: readonly RemovedFile[], limits: RetentionLimits): string {
  const bytes = removed.reduce((sum, file) => sum + file.bytes, 0);
  const reasons: string[] = [];
  const byAge = removed.filter((file) => file.reason === 'age').map((file) => file.name);
  const bySize = removed.filter((file) => file.reason === 'size').map((file) => file.name);
  if (byAge.length > 0) reasons.push(`${byAge.join(', ')} (older than ${limits.days} day${limits.days === 1 ? '' : 's'}, ONS_PROXY_LOG_RETENTION_DAYS)`);
  if (bySize.length > 0) reasons.push(`${bySize.join(', ')} (the folder was over ${formatBytes(limits.maxBytes)}, ONS_PROXY_LOG_MAX_BYTES)`);
  return `Removed ${removed.length} traffic file${removed.length === 1 ? '' : 's'} (${formatBytes(bytes)}) from ${logDir}: ${reasons.join('; ')}.`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

export interface RetentionSchedule {
  stop(): void;
}

/**
 * Prunes now and then shortly after every local midnight while the proxy runs, saying on the
 * console what was removed. A failure is a warning: it never stops the proxy or its records.
 */
export function scheduleRetention(logDir: string, limits: RetentionLimits, say: { info(message: string): void; warn(message: string): void }): RetentionSchedule {
  if (limits.days === 0 && limits.maxBytes === 0) return { stop() {} };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = async (): Promise<void> => {
    try {
      const removed = await pruneTrafficFiles(logDir, limits);
      if (removed.length > 0) say.info(describeRemoved(logDir, removed, limits));
    } catch (error) {
      say.warn(`Could not remove old traffic files from ${logDir}: ${(error as Error).message}`);
    }
    if (!stopped) next();
  };
  const next = (): void => {
    const now = new Date();
    // A minute past midnight: the new day's file exists and yesterday's is complete.
    const soon = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 0, 1);
    timer = setTimeout(() => void run(), soon.getTime() - now.getTime());
    timer.unref();
  };
  void run();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
