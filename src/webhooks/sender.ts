// Sends deliveries (trigger, handshake, replay) and records each as a 'sent' delivery.
import { deliveredEvent } from './events.js';
import { deliver, type Delivery, type DeliveryOutcome } from './delivery.js';
import type { DeliveryRecorder, WebhookFields } from './records.js';
import { SIGNATURE_HEADER, sign, wrongSignature, type SignatureEncoding } from './signature.js';

export interface SignedDeliveryOptions {
  readonly secret: string;
  readonly encoding: SignatureEncoding;
  /** Sign other bytes: the badly signed half of the NOP pair. */
  readonly badlySigned?: boolean;
}

/** The body as Ons sends it, with its content type and signature. */
export function signedDelivery(body: Buffer, options: SignedDeliveryOptions): Delivery {
  const signature = options.badlySigned ? wrongSignature(body, options.secret, options.encoding) : sign(body, options.secret, options.encoding);
  return { body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature } };
}

export interface SentDelivery {
  readonly outcome: DeliveryOutcome;
  /** The record's id (the traffic file holds it). */
  readonly recordId: string;
  readonly webhook: WebhookFields;
}

/** POSTs one delivery and records it; `signature` says how it was signed (valid, invalid on purpose, or kept from a record). */
export async function sendDelivery(url: string, delivery: Delivery, signature: WebhookFields['signature'], encoding: SignatureEncoding | undefined, recorder: DeliveryRecorder): Promise<SentDelivery> {
  const started = new Date();
  const outcome = await deliver(url, delivery);
  const described = deliveredEvent(delivery.body);
  const target = new URL(url);
  const webhook: WebhookFields = {
    direction: 'sent',
    event: described.event,
    ...(described.id === undefined ? {} : { id: described.id }),
    signature,
    ...(encoding === undefined ? {} : { encoding }),
  };
  const record = recorder.record({
    started,
    durationMs: outcome.ms,
    url: `${target.pathname}${target.search}`,
    upstreamUrl: url,
    status: outcome.status,
    webhook,
    request: delivery,
    response: { headers: outcome.headers, body: outcome.body, bodyBytes: outcome.bodyBytes },
    ...(outcome.failure ? { error: { code: `webhook_${outcome.failure.code}`, message: outcome.failure.message } } : {}),
  });
  return { outcome, recordId: record.id, webhook };
}
