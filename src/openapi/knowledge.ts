// Which document a proxy uses (ONS_PROXY_OPENAPI: a file, an https URL, off, or by default
// the cached Ons document) and holding it while the proxy runs. Nothing here delays start
// or a request: a URL is fetched in the background and swapped in when it arrives.
import { readRegularFileSync } from '../files/index.js';
import { ApiIndex } from './api-index.js';
import { cacheEntry, readCacheMeta } from './cache.js';
import { OpenApiDocumentError, parseDocument } from './document.js';
import { downloadDocument } from './download.js';
import { documentSource, NO_DOCUMENT_CACHED, WHAT_THE_DOCUMENT_ADDS, type DocumentKnowledge, type DocumentSource, type KnowledgeLogger, type KnowledgeOptions } from './knowledge-source.js';

export { documentSource, WHAT_THE_DOCUMENT_ADDS, type DocumentSource, type KnowledgeLogger } from './knowledge-source.js';

/** Ons's document is about 3 MB; a file many times that is not an API document. */
const MAX_DOCUMENT_BYTES = 256 * 1024 * 1024;

/** Reads and indexes a document file; throws OpenApiDocumentError naming the file and what is wrong. */
export function loadDocumentFile(file: string, options: { noteAbsentFields?: boolean; label?: string } = {}): ApiIndex {
  const label = options.label ?? file;
  let text: string;
  try {
    // Bounded: --openapi /dev/zero, or a pipe, is refused rather than read until memory runs out.
    text = readRegularFileSync(file, { maxBytes: MAX_DOCUMENT_BYTES }).toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new OpenApiDocumentError(label, code === 'ENOENT' ? 'the file does not exist' : code === 'EACCES' ? 'the file is not readable' : (error as Error).message);
  }
  return new ApiIndex(parseDocument(text, label), label, options);
}

/** The cached copy of the document at `url`, or undefined when none was downloaded. */
export function loadCachedDocument(url: string, options: { noteAbsentFields?: boolean } = {}): ApiIndex | undefined {
  const entry = cacheEntry(url);
  if (!readCacheMeta(entry)) return undefined;
  return loadDocumentFile(entry.file, { ...options, label: `${url} (cached in ${entry.file})` });
}

/** The document of a running proxy: none, loaded at start, or arriving from a URL. */
export class ApiKnowledge implements DocumentKnowledge {
  #current: ApiIndex | undefined;
  #download: Promise<void> | undefined;
  readonly #stop = new AbortController();

  private constructor(readonly source: DocumentSource) {}

  get current(): ApiIndex | undefined {
    return this.#current;
  }

  /** Settles when a background download has ended. */
  async settled(): Promise<void> {
    await this.#download;
  }

  /** Stops a background download that is still running. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#download;
    this.#current?.scheduler.close();
  }

  /** A document a command loaded already (the mock's): nothing is read or fetched again. */
  static of(api: ApiIndex): ApiKnowledge {
    const knowledge = new ApiKnowledge({ kind: 'file', file: api.source });
    knowledge.#current = api;
    return knowledge;
  }

  /** Never throws for a bad document: one error line, and the proxy runs without it. */
  static open(setting: string | undefined, logger: KnowledgeLogger, options: KnowledgeOptions): ApiKnowledge {
    const source = documentSource(setting, options.cwd);
    const knowledge = new ApiKnowledge(source);
    const load = (run: () => ApiIndex | undefined): void => {
      try {
        knowledge.#current = run();
      } catch (error) {
        if (!(error instanceof OpenApiDocumentError)) throw error;
        logger.error(`${error.message}. The proxy runs without it (ONS_PROXY_OPENAPI).`);
      }
    };
    switch (source.kind) {
      case 'off':
        break;
      case 'file':
        load(() => loadDocumentFile(source.file, options));
        break;
      case 'default':
        if (source.url !== undefined) load(() => loadCachedDocument(source.url as string, options));
        if (!knowledge.#current && source.url !== undefined) {
          logger.info(NO_DOCUMENT_CACHED);
        }
        break;
      case 'url':
        // A copy from an earlier run serves at once; the fresh one replaces it when it arrives.
        load(() => loadCachedDocument(source.url, options));
        knowledge.#download = downloadDocument(source.url, { signal: knowledge.#stop.signal }).then(
          (result) => {
            if (!result.changed && knowledge.#current) return;
            load(() => loadDocumentFile(result.entry.file, { ...options, label: source.url }));
            knowledge.#current?.scheduler.warmUp();
          },
          (error: unknown) => {
            if (knowledge.#stop.signal.aborted) return;
            logger.warn(`${(error as Error).message}${knowledge.#current ? '' : '. The proxy runs without an API document'}.`);
          },
        );
        break;
    }
    return knowledge;
  }
}

/** What `ons-proxy check` says about ONS_PROXY_OPENAPI, without any network call. */
export function describeDocumentSetting(setting: string | undefined, cwd = process.cwd()): { status: 'ok' | 'warning'; summary: string } {
  const source = documentSource(setting, cwd);
  try {
    switch (source.kind) {
      case 'off':
        return { status: 'ok', summary: 'no API document (ONS_PROXY_OPENAPI=off)' };
      case 'file': {
        const api = loadDocumentFile(source.file);
        return { status: 'ok', summary: `${source.file}: ${api.operations.length} operations` };
      }
      case 'url': {
        const cached = loadCachedDocument(source.url);
        return { status: 'ok', summary: `${source.url}, fetched in the background at start${cached ? `; cached copy: ${cached.operations.length} operations` : ''}` };
      }
      case 'default': {
        const cached = source.url === undefined ? undefined : loadCachedDocument(source.url);
        if (cached) return { status: 'ok', summary: `${cached.source}: ${cached.operations.length} operations` };
        return { status: 'warning', summary: `no API document cached; it adds ${WHAT_THE_DOCUMENT_ADDS}. Run "ons-proxy openapi update" once to fetch it.` };
      }
    }
  } catch (error) {
    if (!(error instanceof OpenApiDocumentError)) throw error;
    return { status: 'warning', summary: `${error.message}. The proxy runs without it; fix or replace the document (ONS_PROXY_OPENAPI).` };
  }
}
