// What the inspector page can do besides showing: send a recorded request again (as it was,
// or edited) through this very proxy, and add selected exchanges to the fixture set. Both
// go through the proxy's front door, so the guards, the certificate and the record apply.
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { request as undiciRequest } from 'undici';
import type { ProxyConfig } from '../config/load.js';
import { ADMIN_PREFIX, isAdminPath } from '../admin/index.js';
import { FORWARDED_METHODS } from '../proxy/forwarder.js';
import type { TrafficRecord } from '../traffic/record.js';
import { CREDENTIAL_HEADERS } from '../traffic/credential-headers.js';
import { REDACTED } from '../traffic/redact.js';
import { recordedBodyText } from './record-text.js';
import type { RecordRing } from './ring.js';

/** Subscribes to the records as they reach the inspector; returns the unsubscribe function. */
export type RecordArrivals = (listener: (record: TrafficRecord) => void) => () => void;

type ActionSettings = Pick<ProxyConfig, 'upstream' | 'environment' | 'fixturesDir' | 'accessToken' | 'redactFields' | 'redactHeaders'>;

/** What the page may change before sending again; anything left out is as recorded. */
interface ResendEdits {
  readonly method?: unknown;
  readonly path?: unknown;
  readonly headers?: unknown;
  /** A JSON value for a JSON body, or a string. */
  readonly body?: unknown;
}

const NOT_RESENT_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'accept-encoding', 'keep-alive']);
// The proxy's own credentials: masked in every record, and added again by the resend itself.
const OWN_CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(Object.values(CREDENTIAL_HEADERS));
// How the redactor writes a masked value: as it is, and %-encoded in a URL.
const MASKS = [REDACTED, encodeURIComponent(REDACTED)];
// A resent answer is usually recorded within a turn or two of its end; the wait covers a gzip body being decoded.
const RECORD_WAIT_MS = 5_000;

/** A record's text by id, from the ring or, with `at` from the history search, from its day file. */
export type RecordLookup = (id: string, at: string | undefined) => Promise<Buffer | undefined>;

export function registerInspectorActions(app: FastifyInstance, settings: ActionSettings, ring: RecordRing, lookUp: RecordLookup, arrivals: RecordArrivals, restoring: Promise<void>): void {
  app.post<{ Params: { id: string }; Querystring: { at?: string }; Body: ResendEdits }>(`${ADMIN_PREFIX}/api/exchanges/:id/resend`, async (request, reply) => {
    await restoring;
    const text = await lookUp(request.params.id, request.query.at);
    if (!text) return refuse(reply, 404, `No exchange ${request.params.id} among the recent ones: it cannot be sent again from here.`);
    const original = JSON.parse(text.toString('utf8')) as TrafficRecord;
    const outgoing = resendRequest(original, text, request.body ?? {});
    if (typeof outgoing === 'string') return refuse(reply, 400, outgoing);
    const headers: Record<string, string> = { ...outgoing.headers, host: request.headers.host ?? '127.0.0.1' };
    if (settings.accessToken !== undefined) headers['x-proxy-token'] = settings.accessToken;
    const recorded = waitForRecord(arrivals);
    try {
      const answer = await undiciRequest(`${ownOrigin(request)}${outgoing.path}`, { method: outgoing.method as 'GET', headers, body: outgoing.body });
      await answer.body.dump();
      const resent = await recorded.get(String(answer.headers['x-request-id']));
      return { original, resent };
    } catch (error) {
      // Said here: the proxy's own pages are never recorded, so no record would hold it.
      return refuse(reply, 502, `The request could not be sent again through the proxy: ${(error as Error).message}.`);
    } finally {
      recorded.stop();
    }
  });

  app.post<{ Body: { ids?: unknown } }>(`${ADMIN_PREFIX}/api/fixtures`, async (request, reply) => {
    await restoring;
    const ids = request.body?.ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string')) return refuse(reply, 400, 'Send {"ids": [...]}: the ids of the exchanges to save.');
    const records = (ids as string[]).map((id) => ring.get(id));
    const missing = (ids as string[]).filter((_id, index) => records[index] === undefined);
    if (missing.length > 0) return refuse(reply, 404, `No exchange ${missing.join(', ')} among the recent ones: save it with "ons-proxy fixtures save --id ${missing.join(',')}".`);
    const replay = await import('../replay/index.js');
    const known = [{ upstream: settings.upstream, environment: settings.environment }];
    // In recorded order, whatever order the page picked them in: repeats are served in the set's order.
    const recordedOrder = [...(records as TrafficRecord[])].sort((a, b) => a.time.localeCompare(b.time));
    const converted = replay.collect(recordedOrder.map(replay.fixtureFromRecord));
    const careData = converted.fixtures.filter((fixture) => {
      const environment = replay.environmentOf(fixture, known);
      return environment !== undefined && replay.CARE_DATA_ENVIRONMENTS.includes(environment);
    });
    if (careData.length > 0) {
      return refuse(reply, 403, `${careData.length} of these exchanges hold ${settings.environment} data, which is real care data: the inspector does not write it to fixtures. Use "ons-proxy fixtures save --id <ids> --allow-care-data" if you must; it masks BSN-like values.`);
    }
    const masked = converted.fixtures.map((fixture) => replay.maskFixture(fixture, { redactFields: settings.redactFields, redactHeaders: settings.redactHeaders, bsn: false }));
    const folder = path.resolve(settings.fixturesDir);
    const saved = await replay.addToFixtureSet(folder, masked);
    return { folder, written: saved.written, alreadyThere: saved.alreadyThere, notSaved: converted.unsaveable.map((item) => ({ id: item.id, reason: item.detail })) };
  });
}

function refuse(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).send({ error });
}

interface OutgoingRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer | undefined;
}

/** The recorded request with the page's edits applied, or what is wrong with them. */
function resendRequest(original: TrafficRecord, originalText: Buffer, edits: ResendEdits): OutgoingRequest | string {
  const method = edits.method === undefined ? original.method : String(edits.method).toUpperCase();
  if (!(FORWARDED_METHODS as readonly string[]).includes(method)) return `Method "${method}" is not one the proxy forwards: use ${FORWARDED_METHODS.join(', ')}.`;
  const target = edits.path === undefined ? original.url : String(edits.path);
  if (!target.startsWith('/') || target.startsWith('//')) return `Path "${target}" must start with a single /, e.g. /t/clients/1.`;
  if (isAdminPath(target)) return `Path "${target}" is one of the proxy's own pages: only requests to the API can be sent again.`;
  if (masked(target)) return `The path holds a value the record masks (${target}): the real value is not kept, so it cannot be sent again as recorded. Use Edit and resend and put the value in.`;
  const headers = edits.headers === undefined ? recordedHeaders(original) : editedHeaders(edits.headers);
  if (typeof headers === 'string') return headers;
  const maskedHeader = Object.keys(headers).find((name) => masked(headers[name] ?? ''));
  if (maskedHeader !== undefined) return `Header "${maskedHeader}" is masked in the record (${REDACTED}): the real value is not kept, so it cannot be sent again as recorded. Use Edit and resend and give its value, or leave the header out.`;
  const body = edits.body === undefined ? recordedBody(original, originalText) : typeof edits.body === 'string' ? edits.body : JSON.stringify(edits.body);
  if (body === null) return `The ${original.request.bodyBytes}-byte request body was not recorded in full: send it with a body of your own.`;
  const sent = method === 'GET' || method === 'HEAD' ? undefined : body;
  if (sent !== undefined && typeof sent === 'string' && masked(sent)) return `The body holds a value the record masks (${REDACTED}): the real value is not kept, so it cannot be sent again as recorded. Use Edit and resend and put the value in.`;
  return { method, path: target, headers, body: sent };
}

function masked(text: string): boolean {
  const lower = text.toLowerCase();
  return MASKS.some((mask) => lower.includes(mask.toLowerCase()));
}

function recordedHeaders(record: TrafficRecord): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.request.headers)) {
    const text = Array.isArray(value) ? value.join(', ') : value;
    // The proxy's own token is added again by the resend; any other masked value is refused above.
    if (!NOT_RESENT_HEADERS.has(name) && !OWN_CREDENTIAL_HEADERS.has(name)) headers[name] = text;
  }
  return headers;
}

function editedHeaders(value: unknown): Record<string, string> | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'Headers must be a JSON object of names and text values, e.g. {"accept": "application/json"}.';
  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (typeof text !== 'string') return `Header "${name}" must have a text value.`;
    const lower = name.toLowerCase();
    if (!NOT_RESENT_HEADERS.has(lower) && !(OWN_CREDENTIAL_HEADERS.has(lower) && masked(text))) headers[lower] = text;
  }
  return headers;
}

/** The recorded body as bytes to send, undefined for none, or null when it was not recorded whole. */
function recordedBody(record: TrafficRecord, recordText: Buffer): string | Buffer | undefined | null {
  const message = record.request;
  if (message.bodyBytes === 0) return undefined;
  if (message.bodyTruncated || message.bodyEncoding === 'omitted') return null;
  // The body's own text: a parse sent again would round ids above 2^53 and drop its spacing.
  if (message.bodyEncoding === 'json') return recordedBodyText(recordText, 'request')?.toString('utf8') ?? null;
  if (message.bodyEncoding === 'base64') return Buffer.from(String(message.body), 'base64');
  return String(message.body);
}

/** The address the page reached the proxy at, as this machine sees it. */
function ownOrigin(request: FastifyRequest): string {
  const address = request.raw.socket.localAddress ?? '127.0.0.1';
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${request.raw.socket.localPort ?? 0}`;
}

interface RecordWait {
  get(id: string): Promise<TrafficRecord | undefined>;
  stop(): void;
}

/** Collects the records built from now on, so the resent exchange's record can be handed back once it exists. */
function waitForRecord(arrivals: RecordArrivals): RecordWait {
  const seen = new Map<string, TrafficRecord>();
  const waiting = new Map<string, (record: TrafficRecord) => void>();
  const stop = arrivals((record) => {
    seen.set(record.id, record);
    waiting.get(record.id)?.(record);
  });
  return {
    get(id) {
      const known = seen.get(id);
      if (known) return Promise.resolve(known);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(undefined), RECORD_WAIT_MS);
        waiting.set(id, (record) => {
          clearTimeout(timer);
          resolve(record);
        });
      });
    },
    stop,
  };
}
