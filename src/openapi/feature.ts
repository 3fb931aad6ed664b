// The API document at work in the proxy: names each record's operation, hints at removed and
// deprecated calls, and lists advisory findings. All of it runs on the recorded copy after
// the answer went out; only the optional findings header is decided before, and so counts
// what is known then: the request's path and query parameters.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProxyFeature } from '../proxy/feature.js';
import type { RecordAnnotation, RecordAnnotator } from '../traffic/recording-pipeline.js';
import type { TrafficRecord } from '../traffic/record.js';
import type { DocumentKnowledge, KnowledgeLogger } from './knowledge-source.js';
import type { ApiOperation } from './operations.js';

export const FINDINGS_HEADER = 'x-ons-proxy-findings';

export interface FeatureLogger extends KnowledgeLogger {
  debug(message: string): void;
}

export interface ApiDocumentFeature extends ProxyFeature {
  readonly annotate: RecordAnnotator;
}

export function apiDocumentFeature(knowledge: DocumentKnowledge, options: { findingsHeader: boolean; logger: FeatureLogger }): ApiDocumentFeature {
  const warned = new Set<string>();
  // Operations whose checks could not run (a schema the validator cannot compile), said at debug once each.
  const uncheckable = new Set<ApiOperation>();
  return {
    name: 'openapi',
    // Sees the upstream's answer (the findings header); its annotator runs inside the recorder.
    phase: 'observe',
    register(app: FastifyInstance) {
      // Once the proxy listens, the radix trees are built and the models registered a few
      // milliseconds at a time, between exchanges (see CheckScheduler).
      app.addHook('onListen', (done) => {
        knowledge.current?.scheduler.warmUp();
        done();
      });
    },
    ...(options.findingsHeader
      ? {
          observeUpstreamResponse(request: FastifyRequest, reply: FastifyReply) {
            const api = knowledge.current;
            if (!api) return;
            const [path = '/', query = ''] = splitUrl(request.url);
            // Only the kind of match counts here: no nearest-operation search before the answer.
            const { match } = api.describe(request.method, path, { nearest: false });
            const count = match.kind === 'operation' ? api.checks.requestLine(match.operation, match.params, queryParameters(query)).length : 0;
            reply.header(FINDINGS_HEADER, String(count));
          },
        }
      : {}),
    annotate(record) {
      const api = knowledge.current;
      if (!api) return undefined;
      const [path = '/', query = ''] = splitUrl(record.url);
      const call = api.describe(record.method, path, { nearest: !answeredByProxy(record) });
      const annotation: RecordAnnotation = { operation: call.operation };
      if (call.hint !== undefined) annotation.hint = record.hint === undefined ? call.hint : `${record.hint} ${call.hint}`;
      if (call.warnKey !== undefined && !warned.has(call.warnKey)) {
        warned.add(call.warnKey);
        options.logger.warn(`${call.hint ?? call.warnKey} (shown once per run)`);
      }
      if (call.match.kind !== 'operation') return annotation;
      const { operation, params } = call.match;
      const check = (): RecordAnnotation => {
        // The proxy's own answers (a guard, an unreachable upstream) are not the API's to judge.
        const answered = record.upstreamUrl !== undefined && record.error === undefined && record.aborted !== true;
        const result = api.checks.exchange(operation, params, queryParameters(query), {
          request: record.request,
          response: answered ? record.response : { ...record.response, bodyBytes: 0 },
          status: answered ? record.status : 0,
        });
        if (result.findings.length > 0) annotation.findings = result.findings;
        if (result.notChecked.length > 0) {
          annotation.notChecked = result.notChecked;
          if (!uncheckable.has(operation)) {
            uncheckable.add(operation);
            options.logger.debug(`${operation.id}: ${result.notChecked.map((note) => `${note.where} ${note.message}`).join('; ')} (said once per operation)`);
          }
        }
        return annotation;
      };
      const readiness = api.scheduler.whenReady(operation);
      if (readiness === 'ready') return check();
      const skip = (): RecordAnnotation => {
        annotation.notChecked = [{ where: 'exchange', message: `not checked: ${api.scheduler.maxWaiting} exchanges were already waiting for their operations' checks to be prepared (the proxy prepares them between exchanges, a few milliseconds at a time)` }];
        return annotation;
      };
      if (readiness === 'busy') return skip();
      return readiness.then((ready) => (ready === 'ready' ? check() : skip()));
    },
    status() {
      const api = knowledge.current;
      return api ? { document: api.source, operations: api.operations.length } : { document: null, source: knowledge.source.kind };
    },
    async close() {
      await knowledge.close();
    },
  };
}

/**
 * A request the proxy answered itself (a guard refused it: a foreign web page, a wrong Host)
 * gets no "nearest operations" search: any page the developer visits can send such requests
 * with long invented paths, and nobody asked for a suggestion.
 */
function answeredByProxy(record: TrafficRecord): boolean {
  return record.upstreamUrl === undefined && (record.answeredBy === undefined || record.answeredBy === 'proxy');
}

/** Read only, never changed: most calls have no query, and the checks only read it. */
const NO_QUERY = new URLSearchParams();

function queryParameters(query: string): URLSearchParams {
  return query === '' ? NO_QUERY : new URLSearchParams(query);
}

function splitUrl(url: string): [string, string] {
  const mark = url.indexOf('?');
  return mark < 0 ? [url, ''] : [url.slice(0, mark), url.slice(mark + 1)];
}
