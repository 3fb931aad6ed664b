// The recording feature: taps both bodies while the exchange runs and, as it completes, hands
// its plain facts to the instance's recording pipeline, which makes the record off the
// answer's path and gives it to the sinks (the traffic file, the console, the inspector, ...).
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ProxyConfig } from '../config/load.js';
import { isAdminPath } from '../admin/index.js';
import type { CompletedExchange } from '../proxy/exchange.js';
import type { ProxyFeature } from '../proxy/feature.js';
import { BodyCapture, RequestBodyTap, observeBody } from './body-capture.js';
import type { RecordContext } from './build-record.js';
import { takeExchangeFacts, type ExchangeBodies, type ResponseHeaders } from './exchange-facts.js';
import type { ConsoleLogger } from '../log/logger.js';
import { createRedactor } from './redact.js';
import { JsonCheckThread } from './json-check-thread.js';
import { buildRefusalRecord } from './refusal-record.js';
import type { RecordingPipeline } from './recording-pipeline.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The taps of this exchange's bodies, once the recorder has seen it. */
    trafficBodies: ExchangeBodies | null;
  }
}

type RecorderSettings = Pick<ProxyConfig, 'name' | 'logDir' | 'logTag' | 'logBodies' | 'logBodyLimit' | 'captureFull' | 'redactHeaders' | 'redactFields' | 'accessToken'>;

/** How records are made from this profile's settings: what the pipeline is built with. */
export function recordContext(config: RecorderSettings, logger: Pick<ConsoleLogger, 'warn'>): RecordContext {
  return {
    profile: config.name,
    tag: config.logTag,
    logBodies: config.logBodies,
    // With bodies off the taps still count bytes, so bodyBytes stays right.
    // A session recorded for fixtures keeps whole bodies (--capture-full).
    bodyLimit: config.logBodies ? (config.captureFull ? Number.MAX_SAFE_INTEGER : config.logBodyLimit) : 0,
    redactor: createRedactor(config),
    checkThread: new JsonCheckThread((reason) => logger.warn(`Large JSON bodies are checked on the main thread from now on, which slows the proxy: the check thread is unavailable (${reason}).`)),
  };
}

/**
 * Records every exchange with the API. The proxy's own pages and API under /__proxy/ are
 * not exchanges with the API and are not recorded (the inspector would otherwise record itself).
 */
export function recordTraffic(pipeline: RecordingPipeline, logger: ConsoleLogger): ProxyFeature {
  const bodyLimit = pipeline.context.bodyLimit;

  const bodiesOf = (request: FastifyRequest): ExchangeBodies =>
    (request.trafficBodies ??= { request: undefined, response: undefined, responseHeaders: undefined });

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
        const capture = new BodyCapture(bodyLimit);
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
          entry.response = new BodyCapture(bodyLimit);
          entry.response.add(payload);
          headers['content-length'] ??= String(Buffer.byteLength(payload));
        } else if (payload instanceof Readable) {
          entry.response = new BodyCapture(bodyLimit);
          observeBody(payload, entry.response);
        }
        entry.responseHeaders = headers;
        done(null, payload);
      });
    },
    onExchangeComplete(completed: CompletedExchange) {
      if (isAdminPath(completed.request.url)) return;
      // This runs as the exchange ends, on the response's 'close': a throw here would end the process.
      try {
        pipeline.submit(takeExchangeFacts(completed, bodiesOf(completed.request), bodyLimit));
      } catch (error) {
        logger.error(`could not record exchange ${completed.exchange.id}: ${(error as Error).message}`);
      }
    },
    onRawRefusal(refusal) {
      try {
        pipeline.publish(buildRefusalRecord(refusal, pipeline.context));
      } catch (error) {
        logger.error(`could not record the refused request ${refusal.id}: ${(error as Error).message}`);
      }
    },
    status() {
      return { ...pipeline.status(), jsonBodiesCheckedOffThread: pipeline.context.checkThread?.checked ?? 0 };
    },
    close() {
      return pipeline.close();
    },
  };
}

// The same test fastify uses to decide whether to parse a body at all.
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
