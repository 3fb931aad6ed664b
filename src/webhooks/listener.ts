// `webhooks listen`: a receiver on a port of its own, in front of the app. This port may be
// exposed through a tunnel, so it answers POST on its one path and nothing else (nothing of
// the proxy's /__proxy/ either). Each delivery goes to the app byte for byte with its
// headers, is recorded, and is answered with the app's status.
import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import type { ConsoleLogger } from '../log/logger.js';
import { withoutHopByHop } from '../proxy/hop-by-hop.js';
import { ONS_TIMEOUT_MS } from './delivery.js';
import { deliveredEvent } from './events.js';
import { describeWebhook, type DeliveryRecorder, type WebhookFields } from './records.js';
import { SIGNATURE_HEADER, checkSignature, signatureHeaderText, type SignatureEncoding } from './signature.js';

/** Ons's events are a few hundred bytes; anything this large is not one. */
export const MAX_DELIVERY_BYTES = 1024 * 1024;
/** How long listen waits for the app (Ons would have given up after 3 s: that is warned about). */
const APP_TIMEOUT_MS = 30_000;

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  /** The one path deliveries arrive on, e.g. /events. */
  readonly path: string;
  readonly forwardTo: string;
  /** Without a secret the signatures are recorded as unchecked. */
  readonly secret: string | undefined;
  readonly encoding: SignatureEncoding;
  readonly recorder: DeliveryRecorder;
  readonly logger: ConsoleLogger;
}

export interface RunningListener {
  readonly url: string;
  close(): Promise<void>;
}

export async function startWebhookListener(options: ListenerOptions): Promise<RunningListener> {
  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: MAX_DELIVERY_BYTES });
  // The signature covers the bytes: they are taken as they arrived, whatever the content type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  let otherEncodingWarned = false;

  app.post(options.path, async (incoming, reply) => {
    const started = new Date();
    const startedAt = performance.now();
    const body = Buffer.isBuffer(incoming.body) ? incoming.body : Buffer.alloc(0);
    const described = deliveredEvent(body);
    const check = options.secret === undefined ? undefined : checkSignature(body, signatureHeaderText(incoming.headers[SIGNATURE_HEADER]), options.secret);
    const warnings: string[] = [];
    if (!described.json) warnings.push('the body is not JSON: Ons sends JSON events only');
    if (check?.encoding !== undefined && check.encoding !== options.encoding && !otherEncodingWarned) {
      otherEncodingWarned = true;
      options.logger.warn(`deliveries are signed in ${check.encoding}, not ${options.encoding}: pass --signature-encoding ${check.encoding} to trigger, handshake and replay.`);
    }

    const forwarded = await forward(options.forwardTo, incoming.headers, body);
    const appMs = performance.now() - startedAt;
    if (forwarded.failure === undefined) {
      if (check?.result !== 'valid' && check !== undefined && forwarded.status === 200) warnings.push(`the app answered 200 to a ${check.result === 'missing' ? 'delivery without signature' : 'badly signed event'}: it must answer 401, or anyone can send it events`);
      if (check?.result === 'valid' && forwarded.status === 401) warnings.push('the app answered 401 to a validly signed event: Ons counts it as failed; check the secret and that the app signs the raw body bytes');
      if (appMs > ONS_TIMEOUT_MS) warnings.push(`the app took ${Math.round(appMs)} ms: Ons gives up after 3 s and counts the event as failed`);
    } else {
      warnings.push(forwarded.failure.message);
    }
    const webhook: WebhookFields = {
      direction: 'received',
      event: described.event,
      ...(described.id === undefined ? {} : { id: described.id }),
      signature: check?.result ?? 'unchecked',
      ...(check?.encoding === undefined ? {} : { encoding: check.encoding }),
      forwardedTo: options.forwardTo,
      ...(warnings.length > 0 ? { warning: warnings.join('; ') } : {}),
    };
    options.recorder.record({
      started,
      durationMs: appMs,
      url: incoming.url,
      upstreamUrl: options.forwardTo,
      status: forwarded.status,
      webhook,
      request: { headers: incoming.headers, body },
      response: { headers: forwarded.headers, body: forwarded.body },
      ...(forwarded.failure ? { error: forwarded.failure } : {}),
    });
    for (const warning of warnings) options.logger.warn(`webhook ${describeWebhook(webhook)} (signature ${webhook.signature}): ${warning}`);
    reply.code(forwarded.status);
    for (const [name, value] of Object.entries(forwarded.headers)) if (value !== undefined && name !== 'content-length') reply.header(name, value);
    return reply.send(forwarded.body);
  });
  // A body past the limit is no Ons event; it still gets its record, without the body.
  app.setErrorHandler((error: Error & { statusCode?: number }, incoming, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const warning = `not forwarded: ${error.message}`;
    options.recorder.record({
      started: new Date(),
      durationMs: 0,
      url: incoming.url,
      status,
      webhook: { direction: 'received', event: 'not read', signature: 'unchecked', warning },
      request: { headers: incoming.headers, body: Buffer.alloc(0), bodyBytes: Number(incoming.headers['content-length'] ?? 0) },
      response: { headers: { 'content-type': 'text/plain' }, body: Buffer.from(`${error.message}\n`) },
      error: { code: 'webhook_not_read', message: error.message },
    });
    options.logger.warn(`webhook delivery ${warning}`);
    return reply.code(status).type('text/plain').send(`${error.message}\n`);
  });
  // Every other method and path: nothing to see here, whoever asks through the tunnel.
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain').send('Not Found\n'));

  const address = await app.listen({ host: options.host, port: options.port });
  const url = `${address}${options.path}`;
  return { url, close: () => app.close() };
}

interface Forwarded {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly failure?: { readonly code: string; readonly message: string };
}

async function forward(target: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Forwarded> {
  const { host: _host, 'content-length': _length, ...rest } = withoutHopByHop(headers);
  try {
    const answer = await request(target, { method: 'POST', headers: rest as Record<string, string | string[]>, body, signal: AbortSignal.timeout(APP_TIMEOUT_MS) });
    const answerBody = Buffer.from(await answer.body.arrayBuffer());
    return { status: answer.statusCode, headers: withoutHopByHop(answer.headers), body: answerBody };
  } catch (error) {
    const cause = (error as { cause?: NodeJS.ErrnoException }).cause ?? (error as NodeJS.ErrnoException);
    const message = `the app at ${target} did not answer (${cause.code ?? (error as Error).message}): Ons would count the event as failed`;
    return { status: 502, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`${message}\n`), failure: { code: 'webhook_app_unreachable', message } };
  }
}
