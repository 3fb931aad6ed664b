import { UserError } from '../config/errors.js';
import { downloadDocument, DownloadError } from '../openapi/index.js';
import { documentUrl, formatBytes, type OpenApiSubcommandInput } from './openapi.js';
import { print, printError, printProgress } from './output.js';

/** `ons-proxy openapi update`: downloads the document into the cache, or learns it is unchanged. */
export async function openApiUpdate({ source, json }: OpenApiSubcommandInput): Promise<number> {
  const url = documentUrl(source);
  const progress = process.stderr.isTTY && !json;
  let shown = 0;
  try {
    const result = await downloadDocument(url, {
      onProgress: (received, total) => {
        // A line rewritten in place, at most every 64 KB: a 3 MB document takes a few seconds on a slow link.
        if (!progress || received - shown < 65_536) return;
        shown = received;
        printProgress(`downloading ${url}: ${formatBytes(received)}${total ? ` of ${formatBytes(total)}` : ''}   `);
      },
    });
    if (progress && shown > 0) printError('\n');
    const { meta, entry, changed } = result;
    if (json) {
      print(`${JSON.stringify({ changed, file: entry.file, ...meta }, null, 2)}\n`);
      return 0;
    }
    const dated = meta.lastModified ? `dated ${new Date(meta.lastModified).toISOString().slice(0, 10)}` : `downloaded ${meta.fetchedAt.slice(0, 10)}`;
    const what = `${formatBytes(meta.bytes)}, ${meta.operations} operations, ${dated}${meta.title ? ` ("${meta.title}")` : ''}`;
    print(changed ? `Downloaded ${url}: ${what}.\nCached in ${entry.file}\n` : `Unchanged since ${meta.fetchedAt.slice(0, 10)} (the server said so): ${what}.\nCached in ${entry.file}\n`);
    return 0;
  } catch (error) {
    if (progress && shown > 0) printError('\n');
    if (error instanceof DownloadError) throw new UserError(`${error.message}.`, 1);
    throw error;
  }
}
