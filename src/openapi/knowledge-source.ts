// Which document a proxy uses, decided before anything of the document's machinery is loaded:
// the validators and the pattern engine (ajv, re2js) are a tenth of the proxy's code, and a
// proxy without a document (ONS_PROXY_OPENAPI=off, or nothing cached yet) starts without them.
import path from 'node:path';
import { openApiDocumentUrl } from '../config/presets.js';
import type { ApiIndex } from './api-index.js';
import { cacheEntry, readCacheMeta } from './cache.js';

export type DocumentSource =
  | { readonly kind: 'off' }
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'url'; readonly url: string }
  /** The setting was left alone: the cached copy of the API's own document, if any. */
  | { readonly kind: 'default'; readonly url: string | undefined };

/** Reads ONS_PROXY_OPENAPI's value; relative paths are against `cwd`. */
export function documentSource(value: string | undefined, cwd = process.cwd()): DocumentSource {
  const text = value?.trim();
  if (text === undefined || text === '') return { kind: 'default', url: openApiDocumentUrl() };
  if (text.toLowerCase() === 'off') return { kind: 'off' };
  if (/^https?:\/\//i.test(text)) return { kind: 'url', url: text };
  return { kind: 'file', file: path.resolve(cwd, text) };
}

export interface KnowledgeLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface KnowledgeOptions {
  readonly noteAbsentFields: boolean;
  readonly cwd?: string;
}

export const WHAT_THE_DOCUMENT_ADDS = 'operation names on every record, hints for removed /t/ paths and advisory checks of requests and answers';

/** Said at start when the setting was left alone and no copy of the API's document is cached. */
export const NO_DOCUMENT_CACHED = `No API document cached: with it the proxy adds ${WHAT_THE_DOCUMENT_ADDS}. Run "ons-proxy openapi update" once to fetch it (ONS_PROXY_OPENAPI=off silences this).`;

/** The document of a running proxy, as the proxy's features see it (ApiKnowledge, or none). */
export interface DocumentKnowledge {
  readonly source: DocumentSource;
  readonly current: ApiIndex | undefined;
  /** Settles when a background download has ended. */
  settled(): Promise<void>;
  /** Stops a background download that is still running. */
  close(): Promise<void>;
}

/**
 * ApiKnowledge.open for the proxy's start: when no document is to be read or fetched, says so
 * as ApiKnowledge would and returns a knowledge without one, loading none of the document
 * modules; otherwise it loads them and opens the document.
 */
export async function openDocumentKnowledge(setting: string | undefined, logger: KnowledgeLogger, options: KnowledgeOptions): Promise<DocumentKnowledge> {
  const source = documentSource(setting, options.cwd);
  const nothingCached = source.kind === 'default' && (source.url === undefined || readCacheMeta(cacheEntry(source.url)) === undefined);
  if (source.kind !== 'off' && !nothingCached) {
    const { ApiKnowledge } = await import('./knowledge.js');
    return ApiKnowledge.open(setting, logger, options);
  }
  if (source.kind === 'default' && source.url !== undefined) logger.info(NO_DOCUMENT_CACHED);
  return {
    source,
    current: undefined,
    async settled() {},
    async close() {},
  };
}
