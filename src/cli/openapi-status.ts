import { cacheEntry, readCacheMeta } from '../openapi/index.js';
import { documentUrl, formatBytes, type OpenApiSubcommandInput } from './openapi.js';
import { print } from './output.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** `ons-proxy openapi status`: which document the proxy uses and how old the cached copy is. */
export async function openApiStatus({ source, json }: OpenApiSubcommandInput): Promise<number> {
  if (source.kind === 'off' || source.kind === 'file') {
    const text = source.kind === 'off' ? 'ONS_PROXY_OPENAPI is off: the proxy uses no API document.' : `The proxy uses the file ${source.file} (ONS_PROXY_OPENAPI); nothing is cached for it.`;
    print(json ? `${JSON.stringify({ source })}\n` : `${text}\n`);
    return 0;
  }
  const url = documentUrl(source);
  const entry = cacheEntry(url);
  const meta = readCacheMeta(entry);
  if (json) {
    print(`${JSON.stringify({ source, cached: meta ? { file: entry.file, ...meta } : null }, null, 2)}\n`);
    return 0;
  }
  if (!meta) {
    print(`No copy of ${url} is cached (looked in ${entry.file}).\nRun "ons-proxy openapi update" to fetch it.\n`);
    return 0;
  }
  const age = Math.floor((Date.now() - Date.parse(meta.fetchedAt)) / DAY_MS);
  print(
    [
      `Document:   ${url}${meta.title ? ` ("${meta.title}")` : ''}`,
      `Cached in:  ${entry.file}`,
      `Size:       ${formatBytes(meta.bytes)}, ${meta.operations} operations`,
      `Downloaded: ${meta.fetchedAt} (${age === 0 ? 'today' : age === 1 ? '1 day ago' : `${age} days ago`})${meta.lastModified ? `; the server dates it ${meta.lastModified}` : ''}`,
      `Checked:    ${meta.checkedAt}`,
      '',
    ].join('\n'),
  );
  return 0;
}
