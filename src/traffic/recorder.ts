// The recording feature: taps both bodies, builds one record per exchange as it completes,
// and hands it to each of its sinks (the traffic file, the console, the inspector, ...);
// a flood of identical guard refusals goes through RepeatedRefusals first, to be summed up.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProxyConfig } from '../config/load.js';
import { isAdminPath } from '../admin/index.js';
import type { CompletedExchange } from '../proxy/exchange.js';
import type { ProxyFeature } from '../proxy/feature.js';
import { problemBody } from '../proxy/problem.js';
import { BodyCapture, RequestBodyTap, observeBody } from './body-capture.js';
import { buildRecord, type ExchangeBodies, type RecordContext, type ResponseHeaders } from './build-record.js';
import type { ConsoleLogger } from '../log/logger.js';
import type { TrafficRecord } from './record.js';
import { createRedactor } from './redact.js';
import { bodiesCheckedOffThread, whenCheckThreadUnavailable } from './json-check-thread.js';
import { buildRefusalRecord } from './refusal-record.js';
import { RepeatedRefusals, refusalKind } from './repeated-refusals.js';
import { serialiseRecord } from './serialise-record.js';
import type { RecordSink } from './sinks/sink.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The taps of this exchange's bodies, once the recorder has seen it. */
    trafficBodies: ExchangeBodies | null;
  }
}

/**
 * Adds what it knows to a record before any sink sees it (the API document names the
 * operation and lists its findings). It runs after the answer went out, on the recorded copy.
 * A promise holds the record back from the sinks until it settles: an annotator that returns
 * one must settle it soon (the API document's checks wait at most for their validators).
 */
export type RecordAnnotator = (record: TrafficRecord) => void | Promise<void>;

type RecorderSettings = Pick<ProxyConfig, 'name' | 'logDir' | 'logTag' | 'logBodies' | 'logBodyLimit' | 'captureFull' | 'redactHeaders' | 'redactFields' | 'accessToken'>;

/**
 * Records every exchange with the API. The proxy's own pages and API under /__proxy/ are
 * not exchanges with the API and are not recorded (the inspector would otherwise record itself).
 */
export function recordTraffic(config: RecorderSettings, sinks: readonly RecordSink[], logger: ConsoleLogger, annotators: readonly RecordAnnotator[] = []): ProxyFeature {
  const context: RecordContext = {
    profile: config.name,
    tag: config.logTag,
    logBodies: config.logBodies,
    // With bodies off the taps still count bytes, so bodyBytes stays right.
    // A session recorded for fixtures keeps whole bodies (--capture-full).
    bodyLimit: config.logBodies ? (config.captureFull ? Number.MAX_SAFE_INTEGER : config.logBodyLimit) : 0,
    redactor: createRedactor(config),
  };
  const pending = new Set<Promise<void>>();
  let recorded = 0;
  whenCheckThreadUnavailable((reason) => logger.warn(`Large JSON bodies are checked on the main thread from now on, which slows the proxy: the check thread is unavailable (${reason}).`));

  const bodiesOf = (request: FastifyRequest): ExchangeBodies =>
    (request.trafficBodies ??= { request: undefined, response: undefined, responseHeaders: undefined });

  const annotationFailed = (built: TrafficRecord, error: unknown): void => {
    logger.error(`could not annotate the record of exchange ${built.id}: ${(error as Error).message}`);
  };
  /** Runs the annotators from `first` on, in order; a promise when one of them has to wait. */
  const annotate = (built: TrafficRecord, first = 0): Promise<void> | undefined => {
    for (let index = first; index < annotators.length; index++) {
      let result: void | Promise<void>;
      try {
        result = annotators[index]?.(built);
      } catch (error) {
        annotationFailed(built, error);
        continue;
      }
      if (result instanceof Promise) return result.catch((error: unknown) => annotationFailed(built, error)).then(() => annotate(built, index + 1));
    }
    return undefined;
  };
  const write = (built: TrafficRecord): void => {
    const { record, json } = serialiseRecord(built, (error) => logger.error(`could not serialise the record of exchange ${built.id}, recorded without bodies: ${error.message}`));
    // One failing sink must not cost the others their record.
    for (const sink of sinks) {
      try {
        sink.write(record, json);
      } catch (error) {
        logger.error(`the ${sink.name} record sink failed: ${(error as Error).message}`);
      }
    }
  };
  const publish = (built: TrafficRecord): void => {
    recorded++;
    const annotating = annotate(built);
    if (annotating === undefined) {
      write(built);
      return;
    }
    const done = annotating
      .then(() => write(built))
      .catch((error: unknown) => logger.error(`could not record exchange ${built.id}: ${(error as Error).message}`))
      .finally(() => pending.delete(done));
    pending.add(done);
  };
  // This runs as the exchange ends, on the response's 'close': a throw here would end the process.
  const publishSafely = (record: TrafficRecord): void => {
    try {
      publish(record);
    } catch (error) {
      logger.error(`could not record exchange ${record.id}: ${(error as Error).message}`);
    }
  };
  const refusals = new RepeatedRefusals(publishSafely);

  return {
    name: 'traffic',
    phase: 'observe',
    register(app: FastifyInstance) {
      // A request property, not a WeakMap: every young-generation GC walks a WeakMap's new entries.
      app.decorateRequest('trafficBodies', null);
      app.addHook('preParsing', (request, _reply, payload, done) => {
        if (isAdminPath(request.url) || !hasBody(request)) {
          done(null, payload);
          return;
        }
        const capture = new BodyCapture(context.bodyLimit);
        bodiesOf(request).request = capture;
        // The payload is the request itself, or what a guard before made of it (a byte counter).
        done(null, new RequestBodyTap(payload, capture));
      });
      // Every answer passes here: whole (the proxy's own, small upstream answers) or as a
      // stream, which is observed as it flows to the client.
      app.addHook('onSend', (request, reply, payload, done) => {
        if (isAdminPath(request.url)) {
          done(null, payload);
          return;
        }
        const entry = bodiesOf(request);
        // fastify hands these to writeHead at once, so the raw response never holds them (getHeaders() is a copy).
        const headers: ResponseHeaders = reply.getHeaders();
        if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
          entry.response = new BodyCapture(context.bodyLimit);
          entry.response.add(payload);
          headers['content-length'] ??= String(Buffer.byteLength(payload));
        } else if (payload instanceof Readable) {
          entry.response = new BodyCapture(context.bodyLimit);
          observeBody(payload, entry.response);
        }
        entry.responseHeaders = headers;
        done(null, payload);
      });
    },
    onExchangeComplete(completed: CompletedExchange) {
      if (isAdminPath(completed.request.url)) return;
      const kind = refusalKind(completed);
      const deliver = kind === undefined ? publishSafely : (record: TrafficRecord): void => refusals.add(kind, record);
      const exchangeBodies = bodiesOf(completed.request);
      if (exchangeBodies.responseHeaders === undefined) answeredBeforeHooks(completed, exchangeBodies, context.bodyLimit);
      // Still exactly one record when the bodies cannot be described: without them rather than none at all.
      const withoutBodies = (error: unknown): TrafficRecord | Promise<TrafficRecord> => {
        logger.error(`could not describe the bodies of exchange ${completed.exchange.id}: ${(error as Error).message}`);
        return buildRecord(completed, { request: undefined, response: undefined, responseHeaders: exchangeBodies.responseHeaders }, context);
      };
      let built: TrafficRecord | Promise<TrafficRecord>;
      try {
        built = buildRecord(completed, exchangeBodies, context);
      } catch (error) {
        built = withoutBodies(error);
      }
      if (!(built instanceof Promise)) {
        deliver(built);
        return;
      }
      const done = built
        .catch(withoutBodies)
        .then(deliver)
        .finally(() => pending.delete(done));
      pending.add(done);
    },
    onRawRefusal(refusal) {
      try {
        publishSafely(buildRefusalRecord(refusal, context));
      } catch (error) {
        logger.error(`could not record the refused request ${refusal.id}: ${(error as Error).message}`);
      }
    },
    status() {
      const status: Record<string, unknown> = {};
      for (const sink of sinks) Object.assign(status, sink.status?.());
      return { ...status, recordsBuilt: recorded, recordsPending: pending.size, refusalsSummedUp: refusals.summedUp, jsonBodiesCheckedOffThread: bodiesCheckedOffThread() };
    },
    async close() {
      // Exchanges cut off by the shutdown report themselves on the following turns.
      await new Promise((resolve) => setImmediate(resolve));
      while (pending.size > 0) await Promise.allSettled([...pending]);
      refusals.flush();
      // A summed-up refusal may wait for its annotators like any record: the sinks close after it.
      while (pending.size > 0) await Promise.allSettled([...pending]);
      for (const sink of sinks) await sink.close?.();
    },
  };
}

/**
 * A request target fastify's router refuses ("/%zz") is answered before any hook, so the
 * onSend capture never saw the answer. The proxy wrote it itself: its headers are still on
 * the reply, and its body is the problem document.
 */
function answeredBeforeHooks({ reply, exchange }: CompletedExchange, bodies: ExchangeBodies, bodyLimit: number): void {
  // A client that left before any answer has no response headers, whatever the reply holds.
  if (!reply.raw.headersSent) return;
  bodies.responseHeaders = reply.getHeaders();
  if (exchange.problem === undefined) return;
  bodies.response = new BodyCapture(bodyLimit);
  bodies.response.add(problemBody(exchange.problem, exchange.id));
}

// The same test fastify uses to decide whether to parse a body at all.
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
