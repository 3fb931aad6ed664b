import tls from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { AnswerSource } from '../answers/index.js';
import { UserError } from '../config/errors.js';
import type { ProxyConfig } from '../config/load.js';
import { certificateKeyOf, onsRules } from '../ons/index.js';
import { assertStartable, exposureWarning } from '../config/validate.js';
import { buildProxyApp } from '../proxy/app.js';
import type { ProxyFeature } from '../proxy/feature.js';
import { requestGuards } from '../proxy/guards/index.js';
import { createUpstreamAgent, openClientCertificate, SwappableDispatcher } from '../tls/index.js';
import type { ConsoleLogger } from '../log/logger.js';
import { recordContext, recordTraffic } from '../traffic/recorder.js';
import { RecordingPipeline } from '../traffic/recording-pipeline.js';
import { retentionLimits, scheduleRetention } from '../traffic/retention.js';
import { consoleLineSink, trafficFileSink } from '../traffic/sinks/index.js';
import { inspector } from '../inspector/inspector.js';
import { inspectorLogin } from '../inspector/login.js';
import type { ApiIndex } from '../openapi/api-index.js';
import { apiDocumentFeature } from '../openapi/feature.js';
import { openDocumentKnowledge, type DocumentKnowledge } from '../openapi/knowledge-source.js';
import { forwardedDocumentSandbox } from '../admin/index.js';
import type { TechnicalDesignFeature } from '../design/enforce.js';

export interface RunningInstance {
  readonly config: ProxyConfig;
  /** Where clients reach the proxy, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly dispatcher: SwappableDispatcher;
  close(): Promise<void>;
}

export interface InstanceDependencies {
  readonly logger: ConsoleLogger;
  /** More features after the built-in ones (tests use this to observe exchanges). */
  readonly extraFeatures?: readonly ProxyFeature[];
  /** Answer sources asked before forwarding, in order (replay's fixtures, the mock). */
  readonly answers?: readonly AnswerSource[];
  /** The API document already loaded (the mock's), instead of reading ONS_PROXY_OPENAPI again. */
  readonly api?: ApiIndex;
  /**
   * The answer sources answer every request (the mock): no certificate is read and nothing
   * goes upstream. The parallel limit is kept under this key instead of a certificate's.
   */
  readonly withoutUpstream?: {
    readonly limitKey: string;
    /** What answers instead, for GET /__proxy/status's "upstream", e.g. "mock of <document>". */
    readonly answeredBy: string;
  };
}

/** Where exchanges go: the certificate's dispatcher, or one that never connects when the answer sources answer everything. */
function upstreamSide(config: ProxyConfig, deps: InstanceDependencies): { dispatcher: SwappableDispatcher; certificateKey: string; features: ProxyFeature[] } {
  if (deps.withoutUpstream) {
    const dispatcher = new SwappableDispatcher(createUpstreamAgent(tls.createSecureContext(), { connectTimeoutMs: config.connectTimeoutMs }));
    return { dispatcher, certificateKey: deps.withoutUpstream.limitKey, features: [] };
  }
  const { dispatcher, secureContext, feature } = openClientCertificate(config, deps.logger);
  return { dispatcher, certificateKey: certificateKeyOf(secureContext), features: [feature] };
}

/** Validates one profile's configuration and certificate, then listens. Throws UserError on anything the user must fix. */
export async function startInstance(config: ProxyConfig, deps: InstanceDependencies): Promise<RunningInstance> {
  assertStartable(config);
  const { dispatcher, certificateKey, features: certificate } = upstreamSide(config, deps);
  // Read before any file is opened: a design that cannot be used stops the start.
  const { knowledge, design } = await documentAndDesign(config, deps, dispatcher);

  // Opened before the inspector, which reads today's file back.
  const trafficFile = trafficFileSink(config.logDir, deps.logger);
  const warnings = [exposureWarning(config)].filter((warning) => warning !== undefined);
  const pages = inspector(config, deps.logger, warnings);
  // Every record goes to each of these, in this order.
  const sinks = [trafficFile, consoleLineSink(config.logDir, deps.logger), pages.recentRecords];
  const apiDocument = apiDocumentFeature(knowledge, { findingsHeader: config.findingsHeader, logger: deps.logger });
  // The instance's one recording pipeline: the recorder feeds it, and closing the app closes it.
  const recording = new RecordingPipeline(recordContext(config, deps.logger), sinks, [apiDocument.annotate, ...(design ? [design.annotate] : [])], deps.logger);
  const traffic = recordTraffic(recording, deps.logger);
  const app = await buildProxyApp({
    upstream: config.upstream,
    dispatcher,
    timeoutMs: config.timeoutMs,
    statusSummary: { profile: config.name, environment: config.environment, upstream: deps.withoutUpstream?.answeredBy ?? config.upstream, ...(warnings.length > 0 ? { warnings } : {}) },
    // In the order of their phases (setup, guard, admit, adjust, observe): each sees the
    // exchange after the ones before it, so a refused request reaches nothing past the guards,
    // and the record is built after every feature did its part.
    answers: deps.answers,
    logger: deps.logger,
    features: [...certificate, ...requestGuards(config, inspectorLogin(config.accessToken)), ...(design ? [design] : []), ...onsRules(config, certificateKey), forwardedDocumentSandbox(), apiDocument, traffic, pages, ...(deps.extraFeatures ?? [])],
  });

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    await dispatcher.destroy();
    throw describeListenError(error as NodeJS.ErrnoException, config);
  }
  for (const warning of warnings) deps.logger.warn(warning);
  // Its first pass over the log folder runs once the proxy listens: nothing before needs it.
  const retention = scheduleRetention(config.logDir, retentionLimits(config), { info: (line) => deps.logger.info(line), warn: (line) => deps.logger.warn(line) });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  return {
    config,
    url: `http://${host}:${port}`,
    app,
    dispatcher,
    async close() {
      retention.stop();
      await app.close();
      await dispatcher.close();
    },
  };
}

/**
 * The API document and the Technical Design. Their modules (the document's validators, the
 * design's YAML reader) are loaded only when there is a document or a design to open.
 */
async function documentAndDesign(config: ProxyConfig, deps: InstanceDependencies, dispatcher: SwappableDispatcher): Promise<{ knowledge: DocumentKnowledge; design: TechnicalDesignFeature | undefined }> {
  // Staging and production serve only the fields a Technical Design selected: missing model fields are worth a note there.
  const options = { noteAbsentFields: config.environment !== 'development' };
  if (config.design === undefined && !deps.api) return { knowledge: await openDocumentKnowledge(config.openapi, deps.logger, options), design: undefined };
  const { ApiKnowledge } = await import('../openapi/knowledge.js');
  const knowledge = deps.api ? ApiKnowledge.of(deps.api) : ApiKnowledge.open(config.openapi, deps.logger, options);
  if (config.design === undefined) return { knowledge, design: undefined };
  const file = config.design;
  const { openTechnicalDesign } = await import('../design/index.js');
  const design = await openOrRelease(() => openTechnicalDesign(file, knowledge, { blockedStatus: config.designBlockedStatus, representation: config.designFilteredFields, logger: deps.logger }), knowledge, dispatcher);
  return { knowledge, design };
}

/** What `open` returns; when it throws, the document's download and the dispatcher are released first. */
async function openOrRelease<T>(open: () => T, knowledge: DocumentKnowledge, dispatcher: SwappableDispatcher): Promise<T> {
  try {
    return open();
  } catch (error) {
    await knowledge.close();
    await dispatcher.destroy();
    throw error;
  }
}

function describeListenError(error: NodeJS.ErrnoException, config: ProxyConfig): Error {
  const where = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE') return new UserError(`Port ${config.port} is already in use on ${config.host}: stop the other process or pick another port with ONS_PROXY_PORT (--port).`);
  if (error.code === 'EACCES') return new UserError(`Not allowed to listen on ${where}: use a port above 1023 with ONS_PROXY_PORT (--port).`);
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') return new UserError(`Cannot listen on ${config.host}: this machine has no such address. Check ONS_PROXY_HOST (--host).`);
  return new UserError(`Cannot listen on ${where}: ${error.message}.`);
}
