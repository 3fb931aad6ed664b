// Deliveries are traffic records (record.webhook set): the request is the event as it was
// delivered, the response what the receiver answered. They go through the same sinks as the
// proxy's exchanges (the traffic file, the console line), so `logs`, the inspector and HAR
// show them beside the API calls the app made after each one.
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ConsoleLogger } from '../log/logger.js';
import type { TrafficMessage, TrafficRecord } from '../traffic/record.js';
import { createRedactor, type RedactionSettings, type Redactor } from '../traffic/redact.js';
import { RecordingPipeline } from '../traffic/recording-pipeline.js';
import { consoleLineSink, trafficFileSink, type RecordSink } from '../traffic/sinks/index.js';

export type WebhookFields = NonNullable<TrafficRecord['webhook']>;

export interface RecordSettings extends RedactionSettings {
  readonly logDir: string;
  readonly profile: string;
  readonly tag: string | undefined;
  /** ONS_PROXY_LOG_BODIES: false records headers only (and replay has nothing to send). */
  readonly logBodies: boolean;
}

/** One side of a delivery, as it went over the wire. */
export interface WireMessage {
  readonly headers: IncomingHttpHeaders | Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The whole body's size, when `body` holds only its start. */
  readonly bodyBytes?: number;
}

export interface DeliveryExchange {
  readonly started: Date;
  readonly durationMs: number;
  /** Where the delivery arrived (listen) or was sent (trigger, replay): path and query. */
  readonly url: string;
  readonly upstreamUrl?: string;
  readonly status: number;
  readonly webhook: WebhookFields;
  readonly request: WireMessage;
  readonly response: WireMessage;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface DeliveryRecorder {
  /** Builds the delivery's record and hands it to the sinks; the record is returned for the caller's own output. */
  record(exchange: DeliveryExchange): TrafficRecord;
  close(): Promise<void>;
}

/**
 * Writes delivery records into the log folder's traffic file; with `consoleLines` also the
 * console line every exchange gets (for `listen`; the sending commands print their own lines).
 */
export function openDeliveryRecorder(settings: RecordSettings, logger: ConsoleLogger, consoleLines: boolean): DeliveryRecorder {
  const sinks: RecordSink[] = [trafficFileSink(settings.logDir, logger), ...(consoleLines ? [consoleLineSink(settings.logDir, logger)] : [])];
  const redactor = createRedactor(settings);
  // Deliveries are built here, from what the listener saw; the pipeline serialises them once for every sink.
  const pipeline = new RecordingPipeline({ profile: settings.profile, tag: settings.tag, logBodies: settings.logBodies, bodyLimit: 0, redactor }, sinks, [], logger);
  return {
    record(exchange) {
      const built = buildDeliveryRecord(exchange, settings, redactor);
      pipeline.publish(built);
      return built;
    },
    close: () => pipeline.close(),
  };
}

type Redaction = Pick<Redactor, 'headers' | 'text' | 'masksFields'>;

export function buildDeliveryRecord(exchange: DeliveryExchange, settings: Pick<RecordSettings, 'profile' | 'tag' | 'logBodies'>, redactor: Redaction): TrafficRecord {
  return {
    id: randomUUID(),
    time: exchange.started.toISOString(),
    durationMs: Math.round(exchange.durationMs * 100) / 100,
    method: 'POST',
    url: exchange.url,
    upstreamUrl: exchange.upstreamUrl,
    status: exchange.status,
    profile: settings.profile,
    tag: settings.tag,
    queuedMs: 0,
    webhook: exchange.webhook,
    request: wireMessage(exchange.request, redactor, settings.logBodies),
    response: wireMessage(exchange.response, redactor, settings.logBodies),
    error: exchange.error,
  };
}

/**
 * The body is kept as its exact text (or base64 when it is not UTF-8), never as parsed JSON:
 * the signature covers the bytes, and replay must send them unchanged. Fields named in
 * ONS_PROXY_REDACT_FIELDS are masked all the same; such a body says it is no longer exact.
 */
function wireMessage(message: WireMessage, redactor: Redaction, logBodies: boolean): TrafficMessage {
  const bodyBytes = message.bodyBytes ?? message.body.length;
  const headers = redactor.headers(message.headers);
  const bodyTruncated = bodyBytes > message.body.length;
  if (!logBodies) return { headers, bodyBytes, bodyTruncated: false, bodyEncoding: 'omitted' };
  if (!isUtf8(message.body)) {
    if (redactor.masksFields) return { headers, bodyBytes, bodyTruncated, bodyEncoding: 'omitted', bodyNote: 'Not recorded: the body is binary, so it could not be checked for the fields in ONS_PROXY_REDACT_FIELDS.' };
    return { headers, body: message.body.toString('base64'), bodyBytes, bodyTruncated, bodyEncoding: 'base64' };
  }
  const text = message.body.toString('utf8');
  const masked = redactor.text(text);
  if (masked === text) return { headers, body: text, bodyBytes, bodyTruncated, bodyEncoding: 'text' };
  return { headers, body: masked, bodyBytes, bodyTruncated, bodyEncoding: 'text', bodyNote: MASKED_NOTE };
}

const MASKED_NOTE = 'Fields in ONS_PROXY_REDACT_FIELDS were masked: these are not the delivered bytes, so replay cannot send them as they were.';

/** The bytes of a recorded body, when the record holds them exactly. */
export function recordedBodyBytes(message: TrafficMessage): Buffer | undefined {
  if (message.bodyTruncated || message.bodyNote !== undefined || typeof message.body !== 'string') return undefined;
  if (message.bodyEncoding === 'text') return Buffer.from(message.body, 'utf8');
  if (message.bodyEncoding === 'base64') return Buffer.from(message.body, 'base64');
  return undefined;
}

/** "client.UPDATE 4711": how a delivery is named in lines and summaries. */
export function describeWebhook(webhook: WebhookFields): string {
  return webhook.id === undefined ? webhook.event : `${webhook.event} ${webhook.id}`;
}
