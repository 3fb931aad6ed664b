// The sending subcommands: trigger (new events), handshake (the NOP pair) and replay
// (recorded deliveries). Each delivery is recorded as a 'sent' one and gets a line saying
// what Ons would make of the answer; many get a summary by status.
import { print, printError } from './output.js';
import { UserError } from '../config/errors.js';
import type { TrafficRecord } from '../traffic/index.js';
import {
  buildEvent,
  buildNopEvent,
  checkSignature,
  deliveryOrder,
  deliveryUrl,
  describeWebhook,
  eventNames,
  loadEventSchema,
  onsVerdict,
  openDeliveryRecorder,
  parseRate,
  recordedBodyBytes,
  sendAll,
  sendDelivery,
  signedDelivery,
  SIGNATURE_HEADER,
  type Delivery,
  type DeliveryRecorder,
  type SentDelivery,
  type SignatureEncoding,
} from '../webhooks/index.js';
import { withoutHopByHop } from '../proxy/hop-by-hop.js';
import { REDACTED } from '../traffic/redact.js';
import { stringFlag, type ParsedCommandLine } from './args.js';
import { recordSelection, selectedRecords } from './record-selection.js';
import { integerFlag, optionalSecret, recordSettingsOf, repeatedFlag, requiredSecret, signatureEncoding, stderrLogger, webhookConfig, type WebhooksSubcommand } from './webhooks.js';

/** Past this many deliveries only the summary is printed. */
const LINES_SHOWN = 20;

export const webhooksTrigger: WebhooksSubcommand = async (parsed, names) => {
  const schema = loadEventSchema();
  if (parsed.values.list === true) {
    print(`${eventNames(schema).join('\n')}\n`);
    return 0;
  }
  if (names.length === 0) throw new UserError('Name the event to send: ons-proxy webhooks trigger client.UPDATE --id 4711 --to <url> ("--list" lists them).');
  const id = stringFlag(parsed, 'id');
  if (id !== undefined && !(/^\d+$/.test(id) && Number.isSafeInteger(Number(id)))) throw new UserError(`--id ${id}: an event's id is a whole number up to ${Number.MAX_SAFE_INTEGER}, e.g. --id 4711.`);
  const payload = new Map<string, string>();
  for (const pair of repeatedFlag(parsed, 'payload')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UserError(`--payload ${pair}: write key=value, e.g. --payload clientId=4711.`);
    payload.set(pair.slice(0, equals), pair.slice(equals + 1));
  }
  const customerCode = stringFlag(parsed, 'customer');
  const retries = integerFlag(parsed, 'retries', 0, 0, 2_147_483_647);
  const events = names.map((name) => buildEvent(schema, { name, id: id === undefined ? undefined : Number(id), payload, customerCode, retries }));
  const count = integerFlag(parsed, 'count', 1, 1, 1_000_000);
  const bodies = Array.from({ length: count }, () => events.map((event) => Buffer.from(JSON.stringify(event)))).flat();
  return sendMany(parsed, bodies, 'trigger');
};

export const webhooksHandshake: WebhooksSubcommand = async (parsed) => {
  const url = deliveryUrl(stringFlag(parsed, 'to'));
  const secret = requiredSecret(parsed, 'handshake');
  const encoding = signatureEncoding(parsed);
  const body = Buffer.from(JSON.stringify(buildNopEvent(loadEventSchema(), stringFlag(parsed, 'customer'))));
  const sending = await openSending(parsed);
  try {
    const valid = await sendDelivery(url, signedDelivery(body, { secret: secret.value, encoding }), 'valid', encoding, sending.recorder);
    unreachableStops(valid);
    const invalid = await sendDelivery(url, signedDelivery(body, { secret: secret.value, encoding, badlySigned: true }), 'invalid', encoding, sending.recorder);
    const problems = [validProblem(valid, encoding), invalidProblem(invalid)].filter((problem) => problem !== undefined);
    print(`NOP, correctly signed (${encoding}) -> ${answerText(valid)}\nNOP, badly signed -> ${answerText(invalid)}\n`);
    if (problems.length === 0) {
      print('Handshake passed: the receiver answers 200 to a valid signature and 401 to an invalid one, as Ons requires.\n');
      return 0;
    }
    print(`Handshake failed:\n${problems.map((problem) => `- ${problem}`).join('\n')}\n`);
    return 1;
  } finally {
    await sending.close();
  }
};

export const webhooksReplay: WebhooksSubcommand = async (parsed) => {
  const resign = parsed.values.resign === true;
  const secret = resign ? requiredSecret(parsed, 'replay --resign') : optionalSecret(parsed);
  const encoding = signatureEncoding(parsed);
  const ids = (stringFlag(parsed, 'id') ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  const chosen = (record: TrafficRecord): boolean =>
    record.webhook !== undefined && (ids.length === 0 ? record.webhook.direction === 'received' : ids.some((id) => record.id === id || (id.length >= 8 && record.id.startsWith(id))));
  const deliveries: Delivery[] = [];
  let unusable = 0;
  const selection = recordSelection(parsed);
  for await (const record of selectedRecords(selection)) {
    if (!chosen(record)) continue;
    const body = recordedBodyBytes(record.request);
    if (body === undefined) {
      unusable++;
      continue;
    }
    deliveries.push(resign && secret ? signedDelivery(body, { secret: secret.value, encoding }) : recordedDelivery(record, body));
  }
  if (unusable > 0) printError(`ons-proxy: warning: ${unusable} recorded deliveries hold no exact body (cut at the record limit, or recorded without bodies) and are left out.\n`);
  if (deliveries.length === 0) throw new UserError(`No recorded webhook deliveries match in ${selection.logDirs.join(', ')}: "ons-proxy logs --webhooks" lists them; without --id only those "webhooks listen" received are replayed.`, 1);
  return sendMany(parsed, deliveries, 'replay', (delivery) => {
    if (resign) return { signature: 'valid', encoding };
    const check = secret === undefined ? undefined : checkSignature(delivery.body, delivery.headers[SIGNATURE_HEADER], secret.value);
    return { signature: check?.result ?? 'unchecked', encoding: check?.encoding };
  });
};

/** A recorded delivery as it arrived: its bytes and headers (the signature among them), less those of the connection. */
function recordedDelivery(record: TrafficRecord, body: Buffer): Delivery {
  const headers: Record<string, string> = {};
  const { host: _host, 'content-length': _length, ...kept } = withoutHopByHop(record.request.headers);
  for (const [name, value] of Object.entries(kept)) {
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (text !== undefined && text !== REDACTED) headers[name] = text;
  }
  return { body, headers };
}

type HowSigned = (delivery: Delivery) => { signature: SentDelivery['webhook']['signature']; encoding: SignatureEncoding | undefined };

/** Sends bodies (new events, signed here) or recorded deliveries, in the order and at the rate asked for. */
async function sendMany(parsed: ParsedCommandLine, items: readonly (Buffer | Delivery)[], command: string, howSigned?: HowSigned): Promise<number> {
  const url = deliveryUrl(stringFlag(parsed, 'to'));
  const encoding = signatureEncoding(parsed);
  const secret = items.some(Buffer.isBuffer) ? requiredSecret(parsed, command) : undefined;
  const rateText = stringFlag(parsed, 'rate');
  const rate = rateText === undefined ? undefined : parseRate(rateText);
  if (rateText !== undefined && rate === undefined) throw new UserError(`--rate ${rateText}: write deliveries per second, e.g. --rate 100/s.`);
  const ordered = deliveryOrder(items, { shuffle: parsed.values.shuffle === true, seed: integerFlag(parsed, 'seed', 1, 0, 2 ** 32 - 1), duplicate: parsed.values.duplicate === true });
  const showLines = ordered.length <= LINES_SHOWN;
  const sending = await openSending(parsed);
  try {
    const sent = await sendAll(ordered, rate, async (item) => {
      const delivery = Buffer.isBuffer(item) ? signedDelivery(item, { secret: (secret as { value: string }).value, encoding }) : item;
      const how = Buffer.isBuffer(item) ? { signature: 'valid' as const, encoding } : (howSigned?.(item) ?? { signature: 'unchecked' as const, encoding: undefined });
      const result = await sendDelivery(url, delivery, how.signature, how.encoding, sending.recorder);
      if (rate === undefined) unreachableStops(result);
      if (showLines) print(`${describeWebhook(result.webhook)} -> ${answerText(result)}\n`);
      return result;
    });
    if (sent.every((result) => result.outcome.failure?.code === 'unreachable')) unreachableStops(sent[0]);
    if (!showLines || sent.length > 1) print(`${summary(sent)}\n`);
    return sent.every((result) => result.outcome.status === 200 && result.outcome.failure === undefined) ? 0 : 1;
  } finally {
    await sending.close();
  }
}

async function openSending(parsed: ParsedCommandLine): Promise<{ recorder: DeliveryRecorder; close(): Promise<void> }> {
  const config = webhookConfig(parsed);
  const recorder = openDeliveryRecorder(recordSettingsOf(config), stderrLogger(config), false);
  return { recorder, close: () => recorder.close() };
}

/** An unreachable receiver is one line and exit 1, not a page of failures. */
function unreachableStops(result: SentDelivery | undefined): void {
  if (result?.outcome.failure?.code === 'unreachable') throw new UserError(`${result.outcome.failure.message}: start the receiver, or check --to.`, 1);
}

function answerText({ outcome }: SentDelivery): string {
  if (outcome.failure) return `${outcome.failure.message}: ${onsVerdict(outcome)}`;
  return `${outcome.status} in ${outcome.ms.toFixed(1)} ms: ${onsVerdict(outcome)}${answerBody(outcome.body)}`;
}

/** The start of what the receiver answered, on one line and without terminal control characters. */
function answerBody(body: Buffer): string {
  const text = body.toString('utf8').replace(/\s+/g, ' ').trim();
  if (text === '') return '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach the terminal
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
  return ` (answer: ${JSON.stringify(clean.length > ANSWER_SHOWN ? `${clean.slice(0, ANSWER_SHOWN)}...` : clean)})`;
}

const ANSWER_SHOWN = 80;

/** "500 deliveries: 480 x 200, 15 x 500, 5 timeouts (no answer within 3 s)". */
export function summary(sent: readonly SentDelivery[]): string {
  const counts = new Map<string, number>();
  for (const { outcome } of sent) {
    const key = outcome.failure ? (outcome.failure.code === 'timeout' ? 'timeouts (no answer within 3 s)' : `${outcome.failure.code}`) : `x ${outcome.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const parts = [...counts].map(([key, count]) => `${count} ${key}`);
  const delivered = sent.filter(({ outcome }) => outcome.status === 200 && outcome.ms <= 3000 && !outcome.failure).length;
  return `${sent.length} deliveries: ${parts.join(', ')}; ${delivered} of them delivered as Ons counts it (200 within 3 s)`;
}

function validProblem(result: SentDelivery, encoding: SignatureEncoding): string | undefined {
  const { outcome } = result;
  if (outcome.failure?.code === 'timeout') return 'the correctly signed NOP got no answer within 3 s: Ons counts that as failed, and will not accept the URL.';
  if (outcome.failure) return `the correctly signed NOP failed: ${outcome.failure.message}.`;
  if (outcome.status === 200) return undefined;
  if (outcome.status === 401) {
    return `the correctly signed NOP got 401: the receiver rejects a valid signature. Check that it has the same secret, reads the signature as ${encoding} (try --signature-encoding ${encoding === 'hex' ? 'base64' : 'hex'}), and computes the HMAC over the raw body bytes, not over re-serialised JSON.`;
  }
  return `the correctly signed NOP got ${outcome.status}: Ons expects 200 for a valid signature (only 200 counts as delivered).`;
}

function invalidProblem(result: SentDelivery): string | undefined {
  const { outcome } = result;
  if (outcome.failure) return `the badly signed NOP got no answer (${outcome.failure.message}): Ons expects 401.`;
  if (outcome.status === 401) return undefined;
  if (outcome.status === 200) return 'the badly signed NOP got 200: the receiver does not check the signature, so anyone who finds the URL can send it events. It must answer 401.';
  return `the badly signed NOP got ${outcome.status}: Ons expects exactly 401 for an invalid signature.`;
}
