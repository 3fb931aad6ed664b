import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../config/errors.js';
import type { ProxyConfig } from '../config/load.js';
import { throwawayClientSettings, writeDemoPki } from '../demo/index.js';
import { startInstance, type RunningInstance } from '../instance/start-instance.js';
import { fixtureAnswerSource, type AnswerSource } from '../answers/index.js';
import { mockAnswerSource } from '../mock/index.js';
import { readReplaySource, startFixtureServer, REPLAY_HEADER, type FixtureServer, type Latency } from '../replay/index.js';
import { createUpstreamAgent, loadClientCertificate } from '../tls/index.js';
import { createConsoleLogger, type ConsoleLogger } from '../log/logger.js';
import { CONFIG_SOURCE_OPTIONS, SETTING_OPTIONS, configFromCommandLine, listFlag, stringFlag } from './args.js';
import type { Command } from './command.js';
import { openMockDocument, parseMockSeed } from './mock.js';
import { serveUntilSignal } from './serve.js';

/** The log tag of a replay, unless one is configured: every record and console line says it was replayed. */
const REPLAY_TAG = 'replay';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'Run the proxy with recorded exchanges as the API (a fixture set, a traffic log folder or a HAR file): no certificate, no network.',
  usage: 'ons-proxy replay <fixtures folder | traffic log folder | file.har> [--strict] [--fallthrough | --fallback mock] [--latency recorded|0|<ms>] [--ignore-query a,b] [--ignore-body-field a,b] [options]',
  readsSettings: true,
  options: {
    ...SETTING_OPTIONS,
    ...CONFIG_SOURCE_OPTIONS,
    profile: { type: 'string' },
    strict: { type: 'boolean' },
    fallthrough: { type: 'boolean' },
    fallback: { type: 'string' },
    seed: { type: 'string' },
    latency: { type: 'string' },
    'ignore-query': { type: 'string' },
    'ignore-body-field': { type: 'string' },
  },
  optionHelp: [
    ['--strict', 'a request repeated more often than recorded gets 404 replay_exhausted (default: the last answer again)'],
    ['--fallthrough', 'send requests no fixture matches to the real API with the configured certificate, and record them'],
    ['--seed <N>', 'with --fallback mock: the seed of the generated answers (see "ons-proxy mock")'],
    ['--fallback mock', 'answer requests no fixture matches with the mock generated from the API document (see "ons-proxy mock"); x-ons-proxy-replay says mock'],
    ['--latency <recorded|0|ms>', 'answer after the recorded time (default), at once, or after a fixed number of ms'],
    ['--ignore-query <names>', 'query parameters that do not count when matching, e.g. updatedSince,offset'],
    ['--ignore-body-field <names>', 'JSON body fields that do not count when matching, at any depth, e.g. timestamp'],
    ['--profile <name>', 'with --config: the profile whose port, guards and log folder to use (default: the first)'],
  ],
  async run(parsed) {
    const source = parsed.positionals[0];
    if (source === undefined || parsed.positionals.length > 1) {
      throw new UserError('Say what to replay, once: ons-proxy replay fixtures/ (a set from "ons-proxy fixtures save"), a traffic log folder such as logs/, or a .har file.');
    }
    const latency = parseLatency(stringFlag(parsed, 'latency'));
    const config = chooseProfile(configFromCommandLine(parsed), stringFlag(parsed, 'profile'));
    const logger = createConsoleLogger(config.logLevel);
    const replaySource = await readReplaySource(path.resolve(source));
    if (replaySource.fixtures.length === 0) throw new UserError(`${source} holds no exchange that can be replayed: record some with "ons-proxy start", then "ons-proxy fixtures save".`);
    if (replaySource.skippedNote !== undefined) logger.warn(`replay: ${replaySource.skippedNote}`);
    if (replaySource.unsaveable.length > 0) logger.warn(`replay: ${replaySource.unsaveable.length} exchange${replaySource.unsaveable.length === 1 ? '' : 's'} of ${source} cannot be replayed (cut at the body limit, no answer, or replayed before); "ons-proxy fixtures save" lists them`);
    const match = { strict: parsed.values.strict === true, ignoreQuery: listFlag(parsed, 'ignore-query'), ignoreBodyFields: listFlag(parsed, 'ignore-body-field') };
    const fallback = stringFlag(parsed, 'fallback');
    if (fallback !== undefined) {
      if (fallback !== 'mock') throw new UserError(`--fallback "${fallback}" is not known: use --fallback mock (answers generated from the API document), or --fallthrough (the real API).`);
      if (parsed.values.fallthrough === true) throw new UserError('--fallback mock and --fallthrough both answer the misses: choose one.');
      const api = await openMockDocument(config);
      const generated = mockAnswerSource(api, { seed: parseMockSeed(stringFlag(parsed, 'seed')), validate: 'strict' });
      // Misses answered by the mock say so in the header that names a fixture's file otherwise.
      const markedMock: AnswerSource = {
        name: generated.name,
        answer(request, reply) {
          reply.header(REPLAY_HEADER, 'mock');
          return generated.answer(request, reply);
        },
      };
      const instance = await startInstance(
        { ...config, logTag: config.logTag ?? REPLAY_TAG },
        { logger, api, answers: [fixtureAnswerSource({ fixtures: replaySource.fixtures, match, latency }), markedMock], withoutUpstream: { limitKey: `replay:${config.name}`, answeredBy: `fixtures of ${source}, then the mock of ${api.source}` } },
      );
      logger.info(`ons-proxy replay listening on ${instance.url} -> ${replaySource.fixtures.length} exchanges from the ${replaySource.kind} ${source} (misses answered by the mock from ${api.source})`);
      return serveUntilSignal([instance], logger, config.shutdownGraceMs);
    }
    const fallthrough = parsed.values.fallthrough === true ? realApi(config, logger) : undefined;

    const pkiDir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-replay-'));
    let server: FixtureServer | undefined;
    let instance: RunningInstance | undefined;
    const cleanup = async (): Promise<void> => {
      await server?.close();
      await fallthrough?.dispatcher.close();
      await rm(pkiDir, { recursive: true, force: true });
    };
    try {
      const pki = await writeDemoPki(pkiDir);
      server = await startFixtureServer({
        fixtures: replaySource.fixtures,
        match,
        latency,
        tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, clientCaPem: pki.ca.certPem },
        fallthrough,
        log: logger,
      });
      instance = await startInstance(
        {
          ...config,
          upstream: server.url,
          ...throwawayClientSettings(pki),
          logTag: config.logTag ?? REPLAY_TAG,
          // The fixtures play the configured API: HTTP_PROXY-style clients still name its host.
          upstreamStandsFor: [new URL(config.upstream).hostname],
          // The certificate between the proxy and the fixture server is made here and never reaches Ons, whatever the environment.
          force: true,
        },
        { logger },
      );
    } catch (error) {
      await cleanup();
      throw error;
    }
    const misses = fallthrough ? `misses go to ${fallthrough.upstream}` : 'misses get 404 replay_no_match';
    logger.info(`ons-proxy replay listening on ${instance.url} -> ${replaySource.fixtures.length} exchanges from the ${replaySource.kind} ${source} (${misses})`);
    const code = await serveUntilSignal([instance], logger, config.shutdownGraceMs);
    await cleanup();
    return code;
  },
};

function chooseProfile(configs: readonly ProxyConfig[], profile: string | undefined): ProxyConfig {
  const chosen = profile === undefined ? configs[0] : configs.find((config) => config.name === profile);
  if (!chosen) throw new UserError(`No profile "${profile ?? ''}" in the configuration: use a name from "profiles" in the config file.`);
  return chosen;
}

/** The real API for --fallthrough, with the configured certificate, checked as `start` checks it. */
function realApi(config: ProxyConfig, logger: ConsoleLogger): { upstream: string; dispatcher: ReturnType<typeof createUpstreamAgent> } {
  if (config.cert === undefined && config.pfx === undefined) {
    throw new UserError('--fallthrough sends misses to the real API and needs its certificate: set ONS_PROXY_CERT and ONS_PROXY_KEY (or ONS_PROXY_PFX), or replay without --fallthrough.');
  }
  const certificate = loadClientCertificate(config);
  for (const warning of certificate.warnings) logger.warn(warning);
  return { upstream: config.upstream, dispatcher: createUpstreamAgent(certificate.secureContext, { connectTimeoutMs: config.connectTimeoutMs }) };
}

function parseLatency(text: string | undefined): Latency {
  if (text === undefined || text === 'recorded') return 'recorded';
  if (/^\d+$/.test(text)) return Number(text);
  throw new UserError(`--latency "${text}" is not a latency: use recorded (the default), 0, or a number of milliseconds such as 250.`);
}

