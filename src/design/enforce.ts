// The Technical Design at work in the proxy (--design): the proxy behaves like Ons on staging.
// A call to an operation no use case lists is answered by the proxy (never forwarded), and a GET
// answer whose model has a selection loses the fields it does not select, whoever answered it
// (the API, a fixture, the mock): the block is an onRequest check, the filter an onSend hook on
// the payload, so neither knows nor cares where an answer came from.
import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAdminPath } from '../admin/index.js';
import type { ApiIndex, ApiKnowledge } from '../openapi/index.js';
import { answerEarly, type ProxyFeature } from '../proxy/feature.js';
import type { TrafficRecord } from '../traffic/record.js';
import type { RecordAnnotator } from '../traffic/recording-pipeline.js';
import { answerModelName } from '../reports/received-fields.js';
import { filterJsonText, filterNdjsonText, UnfilterableJson, type FilteredRepresentation, type Selection } from './field-filter.js';
import { operationKey, resolveDesign, type DesignOperation, type ResolvedDesign } from './resolve.js';
import type { ReadDesign } from './design-file.js';
import { DesignOnlyMatcher } from './design-matcher.js';

export const DESIGN_HEADER = 'x-ons-proxy-design';

export interface DesignEnforcement {
  readonly blockedStatus: number;
  readonly representation: FilteredRepresentation;
  readonly logger: { info(message: string): void; warn(message: string): void; error(message: string): void };
}

type Verdict = NonNullable<TrafficRecord['design']>;

/** What the design decided for one exchange, while it runs. */
interface DesignExchange {
  readonly operation: DesignOperation | undefined;
  verdict: Verdict;
}

declare module 'fastify' {
  interface FastifyRequest {
    technicalDesign: DesignExchange | null;
  }
}

export interface TechnicalDesignFeature extends ProxyFeature {
  readonly annotate: RecordAnnotator;
}

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/i;
const NDJSON_MEDIA = /^application\/(?:x-)?ndjson$/i;
/** Verdicts waiting for their record. Every recorded exchange takes its own; one summed up into another's record (a flood of refusals) never does, and this bounds those. */
const MAX_PENDING_VERDICTS = 10_000;

/**
 * The design as a proxy feature. It runs as a guard (a blocked call reaches nothing after the
 * guards, neither the parallel limit nor the upstream), and shapes each answer on its way out
 * (onSend, registered before the recorder's, so the record holds the bytes the client got).
 */
export function technicalDesignFeature(read: ReadDesign, knowledge: ApiKnowledge, settings: DesignEnforcement): TechnicalDesignFeature {
  const design = new DesignAtWork(read, knowledge, settings.logger);
  const verdicts = new Map<string, Verdict>();
  const undecodable = new Set<string>();
  const remember = (id: string, verdict: Verdict): void => {
    if (verdicts.size >= MAX_PENDING_VERDICTS) verdicts.delete(verdicts.keys().next().value as string);
    verdicts.set(id, verdict);
  };
  return {
    name: 'technical-design',
    phase: 'guard',
    register(app: FastifyInstance) {
      app.decorateRequest('technicalDesign', null);
      answerEarly(app, (request, reply) => {
        if (isAdminPath(request.url)) return false;
        const path = pathOf(request.url);
        if (path === '/ping') return false;
        const found = design.find(request.method, path);
        if (found.operation) {
          const state: DesignExchange = { operation: found.operation, verdict: { verdict: 'passed' } };
          request.technicalDesign = state;
          remember(request.id, state.verdict);
          return false;
        }
        const verdict: Verdict = { verdict: 'blocked' };
        request.technicalDesign = { operation: undefined, verdict };
        remember(request.id, verdict);
        blockCall(request, reply, found.name, design, settings.blockedStatus);
        return true;
      });
      app.addHook('onSend', (request, reply, payload, done) => {
        const state = request.technicalDesign;
        if (!state?.operation || (request.method !== 'GET' && request.method !== 'HEAD') || payload === null || payload === undefined) {
          done(null, payload);
          return;
        }
        const selection = design.selectionFor(state.operation, reply.statusCode);
        const media = mediaType(reply.getHeader('content-type'));
        const ndjson = NDJSON_MEDIA.test(media);
        if (!selection || (!ndjson && !JSON_MEDIA.test(media)) || request.method === 'HEAD') {
          done(null, payload);
          return;
        }
        const encoding = String(reply.getHeader('content-encoding') ?? 'identity').trim().toLowerCase();
        const filtered = (removed: Set<string>): void => {
          if (removed.size === 0) return;
          state.verdict = { verdict: 'filtered', removedFields: [...removed].sort() };
          remember(request.id, state.verdict);
        };
        if (!Object.hasOwn(DECODERS, encoding)) {
          if (!undecodable.has(encoding)) settings.logger.warn(`${request.method} ${pathOf(request.url)}: the answer is ${encoding}-encoded, which the proxy cannot decode: answers in that encoding pass unfiltered (said once).`);
          if (undecodable.size < 64) undecodable.add(encoding);
          done(null, payload);
          return;
        }
        if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
          const decoded = decodeWhole(payload, encoding);
          // A body its encoding does not fit goes on as the upstream sent it.
          done(null, decoded === undefined ? payload : shapeWhole(reply, decoded, ndjson, selection, settings.representation, filtered));
          return;
        }
        if (!(payload instanceof Readable)) {
          done(null, payload);
          return;
        }
        const decoder = DECODERS[encoding]?.();
        if (ndjson) {
          reply.removeHeader('content-length');
          reply.removeHeader('content-encoding');
          reply.header(DESIGN_HEADER, 'filtered');
          const lines = new NdjsonFilter(selection, settings.representation, filtered);
          const ignore = (): void => undefined;
          // An upstream that breaks off is the forwarder's to answer; the stages here only end with it.
          if (decoder) pipeline(payload, decoder, lines, ignore);
          else pipeline(payload, lines, ignore);
          done(null, lines);
          return;
        }
        // The whole answer is needed before a byte of it can go out; an upstream that breaks off meanwhile is the forwarder's to answer.
        const raw: Buffer[] = [];
        const decoded: Buffer[] = [];
        payload.on('data', (chunk: Buffer) => raw.push(chunk));
        const source = decoder ? payload.pipe(decoder) : payload;
        if (decoder) decoder.on('data', (chunk: Buffer) => decoded.push(chunk));
        source.once('end', () => done(null, shapeWhole(reply, Buffer.concat(decoder ? decoded : raw), false, selection, settings.representation, filtered)));
        // A body its encoding does not fit goes on as the upstream sent it, encoding header and all.
        decoder?.once('error', () => {
          payload.unpipe(decoder);
          if (payload.readableEnded) done(null, Buffer.concat(raw));
          else payload.once('end', () => done(null, Buffer.concat(raw))).resume();
        });
      });
    },
    annotate(record) {
      const verdict = verdicts.get(record.id);
      if (verdict === undefined) return undefined;
      verdicts.delete(record.id);
      return verdict.verdict === 'blocked' ? { design: verdict, answeredBy: 'proxy' } : { design: verdict };
    },
    start() {
      const { operations, selections, useCaseTitles } = design.current;
      const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
      settings.logger.info(
        `Technical Design ${read.locations.file}: ${plural(useCaseTitles.length, 'use case')}, ${plural(operations.size, 'operation')}, ${plural(selections.size, 'model')} selected. Like staging, other operations get ${settings.blockedStatus} and GET answers lose the fields not selected (${settings.representation === 'absent' ? 'left out' : 'set to null'}); status and representation are assumptions, see ONS_PROXY_DESIGN_BLOCKED_STATUS and ONS_PROXY_DESIGN_FILTERED_FIELDS.`,
      );
    },
    status() {
      return { file: read.locations.file, useCases: design.current.useCaseTitles.length, operations: design.current.operations.size, models: design.current.selections.size, blockedStatus: settings.blockedStatus, filteredFields: settings.representation };
    },
  };
}

/** The resolved design, against the document the proxy has now (one arriving from a URL later resolves it again). */
class DesignAtWork {
  #resolved: ResolvedDesign;
  #resolvedFor: ApiIndex | undefined;
  #matcher: DesignOnlyMatcher | undefined;
  readonly #models = new Map<string, string | null>();

  constructor(
    private readonly read: ReadDesign,
    private readonly knowledge: ApiKnowledge,
    private readonly logger: DesignEnforcement['logger'],
  ) {
    this.#resolvedFor = knowledge.current;
    this.#resolved = resolveDesign(read.design, read.locations, this.#resolvedFor);
  }

  get current(): ResolvedDesign {
    const api = this.knowledge.current;
    if (api !== this.#resolvedFor) {
      this.#resolvedFor = api;
      this.#resolved = resolveDesign(this.read.design, this.read.locations, api);
      this.#matcher = undefined;
      this.#models.clear();
      for (const problem of this.#resolved.problems) this.logger.error(`Technical Design ${problem.where}: ${problem.message} (against the API document that just arrived; this entry is left out)`);
    }
    return this.#resolved;
  }

  /** The design's operation a call is, or the name of what it is for the blocked answer. */
  find(method: string, path: string): { operation: DesignOperation | undefined; name: string } {
    const resolved = this.current;
    const upper = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    const api = this.#resolvedFor;
    if (api) {
      const { match } = api.describe(upper, path);
      if (match.kind === 'operation') {
        const key = operationKey(match.operation.method, match.operation.path);
        return { operation: resolved.operations.get(key), name: `${key} (${match.operation.id})` };
      }
      if (match.kind === 'removed') {
        const key = operationKey(upper, match.oldPath);
        return { operation: resolved.operations.get(key), name: key };
      }
      return { operation: undefined, name: `${upper} ${path}` };
    }
    this.#matcher ??= new DesignOnlyMatcher(resolved.operations);
    return { operation: this.#matcher.match(upper, path), name: `${upper} ${path}` };
  }

  /** The selection of the answer's model for this status, if the design has one. */
  selectionFor(operation: DesignOperation, status: number): Selection | undefined {
    const resolved = this.current;
    if (operation.model !== undefined) return resolved.selections.get(operation.model);
    const key = `${operation.method} ${operation.path} ${status}`;
    let model = this.#models.get(key);
    if (model === undefined) {
      model = answerModelName(this.#resolvedFor, operation.method, operation.path, status) ?? null;
      this.#models.set(key, model);
    }
    return model === null ? undefined : resolved.selections.get(model);
  }
}

/** Ons's answer for an endpoint the connection did not request, as the proxy assumes it (see the README). */
function blockCall(request: FastifyRequest, reply: FastifyReply, name: string, design: DesignAtWork, status: number): void {
  const file = design.current.file;
  const useCases = design.current.useCaseTitles.map((title) => `"${title}"`).join(', ');
  const message = `${name} is not in the Technical Design (${file}): on staging and production Ons blocks it. Use cases there: ${useCases}. To use it, add { "operation": "${name.replace(/ \(.*\)$/, '')}" } to the endpoints of a use case in ${file} (and request it in the Ons API Dashboard).`;
  request.exchange.hint = `Blocked by the Technical Design: ${name} is in no use case of ${file}.`;
  void reply
    .code(status)
    .header('content-type', 'application/json')
    .header('cache-control', 'no-store')
    .header(DESIGN_HEADER, 'blocked')
    .send(JSON.stringify({ errorResponseEntries: [{ field: 'operation', value: name, message }] }));
}

const DECODERS: Readonly<Record<string, (() => Transform) | undefined>> = {
  identity: undefined,
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/** The body decoded, or undefined when it does not fit its encoding. */
function decodeWhole(payload: string | Buffer, encoding: string): string | Buffer | undefined {
  if (typeof payload === 'string' || encoding === 'identity') return payload;
  try {
    if (encoding === 'br') return zlib.brotliDecompressSync(payload);
    if (encoding === 'deflate') return zlib.inflateSync(payload);
    return zlib.gunzipSync(payload);
  } catch {
    return undefined;
  }
}

/** A whole answer, filtered; its headers follow what is sent (length, encoding, the design header). */
function shapeWhole(reply: FastifyReply, body: string | Buffer, ndjson: boolean, selection: Selection, representation: FilteredRepresentation, filtered: (removed: Set<string>) => void): string | Buffer {
  const removed = new Set<string>();
  let result: string | undefined;
  const text = typeof body === 'string' ? body : body.toString('utf8');
  try {
    result = ndjson ? filterNdjsonText(text, selection, representation, removed) : filterJsonText(text, selection, representation, removed);
  } catch (error) {
    if (!(error instanceof UnfilterableJson)) throw error;
    result = undefined;
  }
  const sent = result ?? body;
  reply.removeHeader('content-encoding');
  reply.header('content-length', String(Buffer.byteLength(sent)));
  if (result !== undefined) {
    reply.header(DESIGN_HEADER, 'filtered');
    filtered(removed);
  }
  return sent;
}

/** NDJSON streamed line by line: each complete line filtered as it passes. */
class NdjsonFilter extends Transform {
  #rest = '';
  // A character may be split between two chunks.
  readonly #decoder = new StringDecoder('utf8');
  readonly #removed = new Set<string>();

  constructor(
    private readonly selection: Selection,
    private readonly representation: FilteredRepresentation,
    private readonly filtered: (removed: Set<string>) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = this.#rest + this.#decoder.write(chunk);
    const lastBreak = text.lastIndexOf('\n');
    if (lastBreak === -1) {
      this.#rest = text;
      callback();
      return;
    }
    this.#rest = text.slice(lastBreak + 1);
    callback(null, this.#lines(text.slice(0, lastBreak + 1)));
  }

  override _flush(callback: TransformCallback): void {
    const rest = this.#rest + this.#decoder.end();
    const last = rest === '' ? '' : this.#lines(rest);
    this.filtered(this.#removed);
    callback(null, last === '' ? undefined : last);
  }

  #lines(text: string): string {
    return filterNdjsonText(text, this.selection, this.representation, this.#removed) ?? text;
  }
}

function mediaType(header: unknown): string {
  const text = Array.isArray(header) ? String(header[0]) : String(header ?? '');
  return (text.split(';')[0] ?? '').trim();
}

function pathOf(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? url : url.slice(0, mark);
}
