// `ons-proxy openapi <update|status|find|show>`: the API document from the terminal, offline
// once downloaded. Each subcommand is a file of its own; this one picks it and the document.
import { UserError } from '../config/errors.js';
import type { ProxyConfig } from '../config/load.js';
import { documentSource, loadCachedDocument, loadDocumentFile, OpenApiDocumentError, type ApiIndex, type DocumentSource } from '../openapi/index.js';
import { CONFIG_SOURCE_OPTIONS, SETTING_OPTIONS, configFromCommandLine, type ParsedCommandLine } from './args.js';
import type { Command } from './command.js';

export interface OpenApiSubcommandInput {
  readonly config: ProxyConfig;
  readonly source: DocumentSource;
  readonly args: readonly string[];
  readonly json: boolean;
}

type Subcommand = (input: OpenApiSubcommandInput) => Promise<number>;

const SUBCOMMANDS: Readonly<Record<string, () => Promise<Subcommand>>> = {
  update: async () => (await import('./openapi-update.js')).openApiUpdate,
  status: async () => (await import('./openapi-status.js')).openApiStatus,
  find: async () => (await import('./openapi-find.js')).openApiFind,
  show: async () => (await import('./openapi-show.js')).openApiShow,
};

export const openApiCommand: Command = {
  name: 'openapi',
  summary: "The API's OpenAPI document: download it (update), what is cached (status), search operations (find), one operation in full (show).",
  usage: 'ons-proxy openapi update | status | find <text> | show <operation id | METHOD path> [--json]',
  readsSettings: true,
  options: { ...SETTING_OPTIONS, ...CONFIG_SOURCE_OPTIONS, json: { type: 'boolean' } },
  optionHelp: [
    ['update', 'download the document into the per-user cache (asks first whether it changed); prints its date, size and operations'],
    ['status', 'what is cached, from where, and how old it is'],
    ['find <text>', 'operations whose path, id, summary or tag contain the text'],
    ['show <id | METHOD path>', 'one operation: parameters, request body and answer models (e.g. show ClientAPI.byId, show GET /v0/administration/clients/3)'],
    ['--json', 'print JSON instead of text'],
  ],
  async run(parsed) {
    const [name, ...args] = parsed.positionals;
    const load = name === undefined ? undefined : Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
    if (!load) throw new UserError(`${name === undefined ? 'Say what to do' : `Unknown subcommand "${name}"`}: ons-proxy openapi update, status, find <text> or show <operation id | METHOD path>.`);
    const config = firstProfile(parsed);
    return (await load())({ config, source: documentSource(config.openapi), args, json: parsed.values.json === true });
  },
};

function firstProfile(parsed: ParsedCommandLine): ProxyConfig {
  const [config] = configFromCommandLine(parsed);
  if (!config) throw new UserError('No configuration profile resolved.');
  return config;
}

/** The document `find` and `show` read: the file, or the cached copy of the URL; never a download. */
export function documentForReading(source: DocumentSource): ApiIndex {
  try {
    switch (source.kind) {
      case 'off':
        throw new UserError('ONS_PROXY_OPENAPI is off: name a document file or URL with --openapi, or leave it unset for the Ons document.');
      case 'file':
        return loadDocumentFile(source.file);
      case 'url':
      case 'default': {
        if (source.url === undefined) throw new UserError('No document URL is configured: set ONS_PROXY_OPENAPI (--openapi) to a file or an https:// URL.');
        const cached = loadCachedDocument(source.url);
        if (!cached) throw new UserError(`No copy of ${source.url} is cached yet: run "ons-proxy openapi update" once (it needs the internet; afterwards everything works offline).`);
        return cached;
      }
    }
  } catch (error) {
    if (error instanceof OpenApiDocumentError) throw new UserError(`${error.message}.`);
    throw error;
  }
}

/** The URL `update` and `status` are about: the setting's URL, or the API's own document. */
export function documentUrl(source: DocumentSource): string {
  if (source.kind === 'url') return source.url;
  if (source.kind === 'default' && source.url !== undefined) return source.url;
  if (source.kind === 'file') throw new UserError(`ONS_PROXY_OPENAPI names the file ${source.file}: there is nothing to download. Leave it unset (the Ons document) or give an https:// URL.`);
  throw new UserError('ONS_PROXY_OPENAPI is off: give an https:// URL with --openapi, or leave it unset for the Ons document.');
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
