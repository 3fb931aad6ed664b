// Fetches a document over HTTPS into the cache, asking first whether it changed (ETag,
// Last-Modified), so a daily `openapi update` costs a 304. A broken download never
// replaces a good cached copy.
import { request } from 'undici';
import { cacheEntry, readCacheMeta, writeCache, type CacheEntry, type CacheMeta } from './cache.js';
import { OpenApiDocumentError, parseDocument } from './document.js';
import { indexOperations } from './operations.js';

export interface DownloadResult {
  readonly changed: boolean;
  readonly entry: CacheEntry;
  readonly meta: CacheMeta;
}

export interface DownloadOptions {
  readonly folder?: string;
  /** Called as bytes arrive; `total` is undefined without a Content-Length. */
  readonly onProgress?: (received: number, total: number | undefined) => void;
  readonly timeoutMs?: number;
  /** Stops the download (the proxy is shutting down). */
  readonly signal?: AbortSignal;
}

export class DownloadError extends Error {}

export async function downloadDocument(url: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  if (!/^https:\/\//i.test(url)) throw new DownloadError(`${url} is not an https:// URL: the proxy downloads API documents over HTTPS only`);
  const entry = cacheEntry(url, options.folder);
  const previous = readCacheMeta(entry);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'ons-mtls-proxy (openapi update)' };
  if (previous?.url === url) {
    if (previous.etag) headers['if-none-match'] = previous.etag;
    if (previous.lastModified) headers['if-modified-since'] = previous.lastModified;
  }
  const timeout = options.timeoutMs ?? 60_000;
  let received = 0;
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, { method: 'GET', headers, headersTimeout: timeout, bodyTimeout: timeout, signal: options.signal });
  } catch (error) {
    throw new DownloadError(`could not reach ${url}: ${describeNetworkError(error)}`);
  }
  const now = new Date().toISOString();
  if (response.statusCode === 304 && previous) {
    await response.body.dump();
    const meta = { ...previous, checkedAt: now };
    writeCache(entry, undefined, meta);
    return { changed: false, entry, meta };
  }
  if (response.statusCode !== 200) {
    await response.body.dump().catch(() => undefined);
    throw new DownloadError(`${url} answered ${response.statusCode} instead of the document; the cached copy${previous ? '' : ' (none yet)'} is kept`);
  }
  const lengthHeader = response.headers['content-length'];
  const total = typeof lengthHeader === 'string' && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      received += buffer.length;
      options.onProgress?.(received, total);
    }
  } catch (error) {
    throw new DownloadError(`the download of ${url} broke off after ${received} bytes${total ? ` of ${total}` : ''} (${describeNetworkError(error)}); the cached copy is kept`);
  }
  if (total !== undefined && received < total) throw new DownloadError(`the download of ${url} ended after ${received} of ${total} bytes; the cached copy is kept`);
  const text = Buffer.concat(chunks).toString('utf8');
  let operations: number;
  let title: string | undefined;
  try {
    const document = parseDocument(text, url);
    operations = indexOperations(document).operations.length;
    title = document.info?.title;
  } catch (error) {
    if (error instanceof OpenApiDocumentError) throw new DownloadError(`${error.message}; the cached copy is kept`);
    throw error;
  }
  const header = (name: string): string | undefined => {
    const value = response.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const meta: CacheMeta = { url, etag: header('etag'), lastModified: header('last-modified'), fetchedAt: now, checkedAt: now, bytes: received, operations, title };
  writeCache(entry, text, meta);
  return { changed: true, entry, meta };
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = (error as { code?: string }).code ?? cause?.code;
  const message = cause?.message ?? (error as Error).message;
  return code ? `${code}: ${message}` : message;
}
