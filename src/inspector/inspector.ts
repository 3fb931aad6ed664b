// The web inspector at /__proxy/: a small page (plain HTML, CSS and JS under assets/, no
// build step, nothing from a CDN) over a JSON API and server-sent events, fed as one of the
// recorder's sinks and backed by an in-memory ring of the recent records.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ProxyConfig } from '../config/load.js';
import { ADMIN_PREFIX } from '../admin/index.js';
import type { ProxyFeature } from '../proxy/feature.js';
import type { ConsoleLogger } from '../log/logger.js';
import { UserError } from '../config/errors.js';
import { harDocument } from '../traffic/har.js';
// Not ../traffic/index.js: that loads the record's schema library, which serving does not need.
import { localDay, trafficFileName } from '../traffic/files.js';
import type { TrafficRecord } from '../traffic/record.js';
import type { RecordSink } from '../traffic/sinks/index.js';
import { registerInspectorActions, type RecordArrivals } from './actions.js';
import { EventStream } from './event-stream.js';
import { recordTextAt, searchHistory } from './history.js';
import { parseBoxQuery, type BoxQuery } from './query-text.js';
import { restoreLastRecords } from './restore.js';
import { RecordRing } from './ring.js';

type InspectorSettings = Pick<ProxyConfig, 'name' | 'logDir' | 'inspectorLimit' | 'upstream' | 'environment' | 'fixturesDir' | 'accessToken' | 'redactFields' | 'redactHeaders'>;

/** What the list shows; the page fetches the full record when one is opened. */
export interface ExchangeSummary {
  id: string;
  time: string;
  method: string;
  url: string;
  status: number;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  aborted?: true;
  error?: string;
  hint?: string;
  tag?: string;
  /** How many identical refusals the record stands for. */
  repeated?: number;
  /** The API document's operation id and summary, and how many findings its checks had. */
  operation?: string;
  operationSummary?: string;
  findings?: number;
  /** Time spent waiting for one of the certificate's slots (the limiter), part of durationMs. */
  queuedMs: number;
  /** A removed or deprecated operation, and what replaced it. */
  retired?: { removed: boolean; replacedBy?: string; since?: string; hint?: string };
  /** What the Technical Design did: blocked the call, or filtered fields out of the answer. */
  design?: { verdict: 'blocked' | 'filtered'; removedFields?: number };
  /** Who answered when it was not the API: a fixture of replay, the mock, or the proxy itself. */
  answeredBy?: 'fixture' | 'mock' | 'proxy';
  webhook?: { direction: 'received' | 'sent'; event: string; signature: string };
  /** Where a record of the history search was found: its day file and the byte range of lines around it. */
  at?: string;
}

// The API index marks a removed path and a deprecated operation alike; only the hint tells them apart.
const REMOVED_HINT = / was removed\b/;

function retirement(record: TrafficRecord): ExchangeSummary['retired'] {
  const operation = record.operation;
  if (!operation?.deprecated) return undefined;
  return {
    removed: REMOVED_HINT.test(record.hint ?? ''),
    ...(operation.replacedBy ? { replacedBy: `${record.method} ${operation.replacedBy}` } : {}),
    ...(operation.deprecatedSince ? { since: operation.deprecatedSince } : {}),
    ...(record.hint ? { hint: record.hint } : {}),
  };
}

export function summarize(record: TrafficRecord): ExchangeSummary {
  return {
    id: record.id,
    time: record.time,
    method: record.method,
    url: record.url,
    status: record.status,
    durationMs: record.durationMs,
    requestBytes: record.request.bodyBytes,
    responseBytes: record.response.bodyBytes,
    ...(record.aborted ? { aborted: true as const } : {}),
    ...(record.error ? { error: record.error.code } : {}),
    ...(record.hint !== undefined ? { hint: record.hint } : {}),
    ...(record.tag !== undefined ? { tag: record.tag } : {}),
    ...(record.repeated ? { repeated: record.repeated.count } : {}),
    ...(record.operation ? { operation: record.operation.id, ...(record.operation.summary ? { operationSummary: record.operation.summary } : {}) } : {}),
    ...(record.findings ? { findings: record.findings.length } : {}),
    queuedMs: record.queuedMs ?? 0,
    ...(record.operation?.deprecated ? { retired: retirement(record) } : {}),
    ...(record.design && record.design.verdict !== 'passed'
      ? { design: { verdict: record.design.verdict, ...(record.design.removedFields ? { removedFields: record.design.removedFields.length } : {}) } }
      : {}),
    ...(record.answeredBy && record.answeredBy !== 'upstream' ? { answeredBy: record.answeredBy } : {}),
    ...(record.webhook ? { webhook: { direction: record.webhook.direction, event: record.webhook.event, signature: record.webhook.signature } } : {}),
  };
}

// Relative to the parent folder, so the same path works from src/, dist/ and the bundle in dist/cli/.
const ASSETS_DIR = new URL('../inspector/assets/', import.meta.url);
const TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
/** The page's files (its script is split in modules); nothing else in the folder is served. */
const ASSET_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  readdirSync(ASSETS_DIR)
    .filter((name) => /^[a-z][a-z0-9-]*\.(html|js|css)$/.test(name))
    .map((name) => [name, TYPES_BY_EXTENSION[path.extname(name)] ?? 'application/octet-stream']),
);
// The page runs only its own script and talks only to this proxy.
const PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Matches per page of the history search: a page is also cut after a few hundred milliseconds. */
const HISTORY_PAGE = 5000;

/** The filter box's query, undefined for none, or what is wrong with it. */
function boxQuery(text: string | undefined): BoxQuery | undefined | string {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return parseBoxQuery(text);
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
}

export interface Inspector extends ProxyFeature {
  /** Give this to the recorder: it keeps the recent records and tells open pages about each. */
  readonly recentRecords: RecordSink;
}

/** `warnings` are shown on the page, e.g. that anyone on the network can use this proxy. */
export function inspector(config: InspectorSettings, logger: ConsoleLogger, warnings: readonly string[] = []): Inspector {
  const ring = new RecordRing(config.inspectorLimit);
  const events = new EventStream();
  // Read when a page first asks, not at start: most runs never open the inspector.
  const assets = new Map<string, Buffer>();
  const asset = (name: string): Buffer | undefined => {
    if (!Object.hasOwn(ASSET_TYPES, name)) return undefined;
    let body = assets.get(name);
    if (!body) {
      body = readFileSync(new URL(name, ASSETS_DIR));
      assets.set(name, body);
    }
    return body;
  };
  // A resent exchange's record is handed back to the page once it arrives here.
  const arrivalListeners = new Set<(record: TrafficRecord) => void>();
  const arrivals: RecordArrivals = (listener) => {
    arrivalListeners.add(listener);
    return () => arrivalListeners.delete(listener);
  };
  const recentRecords: RecordSink = {
    name: 'inspector',
    write(record, json) {
      ring.push(record.id, json);
      for (const listener of arrivalListeners) listener(record);
      // Most of the time no page is open: then there is nobody to summarise for.
      if (events.clients > 0) events.send('exchange', summarize(record));
    },
  };
  let restored = 0;
  /** A record's text: from the ring, or from the day file where the history search found it. */
  const lookUp = async (id: string, at: string | undefined): Promise<Buffer | undefined> => ring.text(id) ?? (at === undefined ? undefined : await recordTextAt(config.logDir, id, at));

  // After a restart the page shows today's exchanges of this profile, read back from the file.
  const todayFile = path.join(config.logDir, trafficFileName(localDay(new Date())));
  const restoring = (async () => {
    const earlier = await restoreLastRecords(todayFile, config.inspectorLimit, (record) => record.profile === config.name && ring.text(record.id) === undefined);
    ring.addOlder(earlier.records);
    restored = earlier.records.length;
    if (earlier.tooLong > 0) logger.info(`inspector: ${earlier.tooLong} of today's records were too long to show again after the restart; "ons-proxy logs" and the history search still find them.`);
  })().catch((error: unknown) => logger.debug(`inspector: could not read back ${todayFile}: ${(error as Error).message}`));

  return {
    name: 'inspector',
    phase: 'observe',
    recentRecords,
    register(app: FastifyInstance) {
      const sendAsset = (name: string) => async (_request: unknown, reply: FastifyReply) => {
        const body = asset(name);
        if (!body) return reply.code(404).send();
        return reply
          .header('content-type', ASSET_TYPES[name])
          .header('cache-control', 'no-cache')
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', PAGE_POLICY)
          .send(body);
      };
      app.get(`${ADMIN_PREFIX}/`, sendAsset('index.html'));
      app.get<{ Params: { name: string } }>(`${ADMIN_PREFIX}/assets/:name`, (request, reply) => sendAsset(request.params.name)(request, reply));
      app.get<{ Querystring: { q?: string } }>(`${ADMIN_PREFIX}/api/exchanges`, async (request, reply) => {
        await restoring;
        const query = boxQuery(request.query.q);
        if (typeof query === 'string') return reply.code(400).send({ error: query });
        const records = ring.all().reverse();
        return {
          profile: config.name,
          environment: config.environment,
          upstream: config.upstream,
          limit: config.inspectorLimit,
          warnings,
          exchanges: (query ? records.filter((record) => query.matches(record)) : records).map(summarize),
        };
      });
      app.get<{ Querystring: { q?: string; cursor?: string; limit?: string } }>(`${ADMIN_PREFIX}/api/history`, async (request, reply) => {
        const query = boxQuery(request.query.q) ?? parseBoxQuery('');
        if (typeof query === 'string') return reply.code(400).send({ error: query });
        const limit = Math.min(Math.max(Number(request.query.limit) || HISTORY_PAGE, 1), HISTORY_PAGE * 10);
        let gone = false;
        reply.raw.once('close', () => (gone = true));
        try {
          return await searchHistory(
            { logDir: config.logDir, query, cursor: request.query.cursor, limit, cancelled: () => gone },
            (record, at) => ({ ...summarize(record), at }),
          );
        } catch (error) {
          return reply.code(error instanceof UserError ? 404 : 500).send({ error: error instanceof UserError ? error.message : `The history could not be read: ${(error as Error).message}.` });
        }
      });
      app.get<{ Params: { id: string }; Querystring: { at?: string } }>(`${ADMIN_PREFIX}/api/exchanges/:id`, async (request, reply) => {
        await restoring;
        const text = await lookUp(request.params.id, request.query.at);
        if (!text) return reply.code(404).send({ error: `No exchange ${request.params.id} among the last ${ring.size}: search the history above the list, or try "ons-proxy logs --id ${request.params.id}".` });
        // The bytes as recorded, not a parse sent again: a JSON body keeps its own text (int64 ids, spacing, 1.0).
        return reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store').send(text);
      });
      app.get(`${ADMIN_PREFIX}/events`, (_request, reply) => events.open(reply));
      registerInspectorActions(app, config, ring, lookUp, arrivals, restoring);
      app.get(`${ADMIN_PREFIX}/har`, async (_request, reply) => {
        await restoring;
        const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
        return reply
          .header('content-type', 'application/json; charset=utf-8')
          .header('content-disposition', `attachment; filename="ons-proxy-${config.name}-${stamp}.har"`)
          .header('cache-control', 'no-store')
          .send(harDocument(ring.all()));
      });
      // Open pages would otherwise hold the shutdown until its grace period ends.
      app.addHook('preClose', (done) => {
        events.closeAll();
        done();
      });
    },
    status() {
      return { recent: ring.size, limit: config.inspectorLimit, restoredFromFile: restored, approxBytes: ring.bytes, openPages: events.clients };
    },
    async close() {
      events.closeAll();
      await restoring;
    },
  };
}
