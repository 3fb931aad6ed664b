import { UserError } from '../config/errors.js';
import type { ProxyConfig } from '../config/load.js';
import { startInstance } from '../instance/start-instance.js';
import { createConsoleLogger } from '../log/logger.js';
import { mockAnswerSource, type ValidateMode } from '../mock/index.js';
import { documentSource, downloadDocument, loadCachedDocument, loadDocumentFile, OpenApiDocumentError, type ApiIndex } from '../openapi/index.js';
import { CONFIG_SOURCE_OPTIONS, SETTING_OPTIONS, configFromCommandLine, stringFlag } from './args.js';
import type { Command } from './command.js';
import { serveUntilSignal } from './serve.js';

/** The log tag of the mock, unless one is configured: every record and console line says it was generated. */
const MOCK_TAG = 'mock';
const DEFAULT_SEED = 1;
const HOW_TO_GET_A_DOCUMENT = 'run "ons-proxy openapi update" once to cache Ons\'s document, or give one with --openapi <file|url>';

export const mockCommand: Command = {
  name: 'mock',
  summary: 'Run the proxy with every operation of the API document answered by generated data: no certificate, no network.',
  usage: 'ons-proxy mock [--openapi <file|url>] [--seed N] [--validate strict|report] [options]',
  readsSettings: true,
  options: { ...SETTING_OPTIONS, ...CONFIG_SOURCE_OPTIONS, seed: { type: 'string' }, validate: { type: 'string' } },
  optionHelp: [
    ['--openapi <file|url>', 'the OpenAPI 3.0/3.1 document to answer from (default: the cached Ons document, see "ons-proxy openapi update")'],
    ['--seed <N>', `the same request with the same seed gets the same answer, run after run (default ${DEFAULT_SEED})`],
    ['--validate <strict|report>', 'strict (default): requests the API would refuse get its 400; report: answer anyway, the record lists the findings'],
  ],
  async run(parsed) {
    const seed = parseMockSeed(stringFlag(parsed, 'seed'));
    const validate = parseValidate(stringFlag(parsed, 'validate'));
    const config = configFromCommandLine(parsed)[0];
    if (!config) return 2;
    const logger = createConsoleLogger(config.logLevel);
    const api = await openMockDocument(config);
    const instance = await startInstance(
      { ...config, logTag: config.logTag ?? MOCK_TAG },
      { logger, api, answers: [mockAnswerSource(api, { seed, validate })], withoutUpstream: { limitKey: `mock:${config.name}`, answeredBy: `mock of ${api.source}` } },
    );
    logger.info(`ons-proxy mock listening on ${instance.url} -> ${api.operations.length} operations of ${api.source} (seed ${seed}, --validate ${validate})`);
    return serveUntilSignal([instance], logger, config.shutdownGraceMs);
  },
};

/** The document to answer from: --openapi (ONS_PROXY_OPENAPI), else the cached Ons document; one line saying how to get one otherwise. */
export async function openMockDocument(config: Pick<ProxyConfig, 'openapi'>): Promise<ApiIndex> {
  const source = documentSource(config.openapi);
  try {
    switch (source.kind) {
      case 'off':
        throw new UserError(`The mock answers from an API document and ONS_PROXY_OPENAPI is off: ${HOW_TO_GET_A_DOCUMENT}.`);
      case 'file':
        return loadDocumentFile(source.file);
      case 'url': {
        const cached = loadCachedDocument(source.url);
        try {
          const result = await downloadDocument(source.url);
          return loadDocumentFile(result.entry.file, { label: source.url });
        } catch (error) {
          if (error instanceof OpenApiDocumentError || !cached) throw error;
          return cached;
        }
      }
      case 'default': {
        const cached = source.url === undefined ? undefined : loadCachedDocument(source.url);
        if (!cached) throw new UserError(`No API document to answer from: ${HOW_TO_GET_A_DOCUMENT}.`);
        return cached;
      }
    }
  } catch (error) {
    if (error instanceof OpenApiDocumentError) throw new UserError(`${error.message}. Give the mock an OpenAPI 3.0 or 3.1 document with --openapi <file|url>.`);
    if (error instanceof UserError) throw error;
    throw new UserError(`Cannot fetch ${config.openapi ?? 'the API document'}: ${(error as Error).message}. Check the URL, or ${HOW_TO_GET_A_DOCUMENT}.`);
  }
}

export function parseMockSeed(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SEED;
  if (/^\d{1,15}$/.test(text.trim())) return Number(text.trim());
  throw new UserError(`--seed "${text}" is not a number: give a whole number such as --seed 42 (the same seed gives the same answers).`);
}

function parseValidate(text: string | undefined): ValidateMode {
  if (text === undefined || text === 'strict') return 'strict';
  if (text === 'report') return 'report';
  throw new UserError(`--validate "${text}" is not known: use strict (requests the API would refuse get its 400) or report (answer anyway, the record lists the findings).`);
}
