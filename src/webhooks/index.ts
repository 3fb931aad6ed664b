/** Ons's webhooks on a laptop: events, signatures, sending, receiving and their records. */
export { buildEvent, buildNopEvent, deliveredEvent, eventNames, eventProblems, loadEventSchema, DEFAULT_CUSTOMER, type WebhookEvent, type WebhookEventSchema } from './events.js';
export { checkSignature, sign, DEFAULT_SIGNATURE_ENCODING, SIGNATURE_ENCODINGS, SIGNATURE_HEADER, type SignatureEncoding } from './signature.js';
export { findWebhookSecret, requireWebhookSecret, SECRET_ENV, SECRET_FILE_ENV, type WebhookSecret } from './secret.js';
export { deliver, deliveryUrl, onsVerdict, ONS_TIMEOUT_MS, type Delivery, type DeliveryOutcome } from './delivery.js';
export { describeWebhook, openDeliveryRecorder, recordedBodyBytes, type DeliveryRecorder, type RecordSettings } from './records.js';
export { sendDelivery, signedDelivery, type SentDelivery } from './sender.js';
export { deliveryOrder, parseRate, sendAll } from './order.js';
export { startWebhookListener, type RunningListener } from './listener.js';
