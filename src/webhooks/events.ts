// The events Ons sends, built from config/webhook-events.json: which model types and CUSTOM
// events exist, which of them carry an id, and what a CUSTOM event's payload holds. The
// schema is data so that a new Ons event is one line there, not a code change.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../config/errors.js';

// config/ sits at the package root, two levels above both src/webhooks and dist/cli.
export const WEBHOOK_EVENTS_FILE = fileURLToPath(new URL('../../config/webhook-events.json', import.meta.url));

export interface PayloadField {
  readonly type: 'integer' | 'string';
  readonly enum?: readonly string[];
  readonly example?: string;
}

export interface WebhookEventSchema {
  readonly crudEventTypes: readonly string[];
  /** model type -> the CRUD event types Ons sends for it. */
  readonly modelTypes: Readonly<Record<string, readonly string[]>>;
  /** CUSTOM event name (its modelType) -> its payload fields. */
  readonly customEvents: Readonly<Record<string, Readonly<Record<string, PayloadField>>>>;
  readonly nop: { readonly modelType: string; readonly eventType: string };
}

/** An event as Ons sends it; the key order is the one of Ons's documented example. */
export interface WebhookEvent {
  customerCode: string;
  modelType: string;
  eventType: string;
  id?: number;
  payload?: Record<string, string | number>;
  timestamp: string;
  amountOfRetries: number;
}

export interface EventRequest {
  /** "client.UPDATE" or "care_plan_activated" / "care_plan_activated.CUSTOM". */
  readonly name: string;
  readonly id?: number | undefined;
  readonly payload?: ReadonlyMap<string, string>;
  readonly customerCode?: string | undefined;
  readonly retries?: number | undefined;
  readonly now?: Date;
}

let cached: WebhookEventSchema | undefined;

export function loadEventSchema(file = WEBHOOK_EVENTS_FILE): WebhookEventSchema {
  if (file === WEBHOOK_EVENTS_FILE && cached) return cached;
  const schema = JSON.parse(readFileSync(file, 'utf8')) as WebhookEventSchema;
  if (file === WEBHOOK_EVENTS_FILE) cached = schema;
  return schema;
}

/** Every event name the schema allows, e.g. client.CREATE, care_plan_activated.CUSTOM. */
export function eventNames(schema: WebhookEventSchema): string[] {
  const crud = Object.entries(schema.modelTypes).flatMap(([model, events]) => events.map((event) => `${model}.${event}`));
  return [...crud, ...Object.keys(schema.customEvents).map((name) => `${name}.CUSTOM`)];
}

export const DEFAULT_CUSTOMER = 'TE1002';

/** Builds the event `request` names, or says what is wrong with the request (a UserError). */
export function buildEvent(schema: WebhookEventSchema, request: EventRequest): WebhookEvent {
  const { modelType, eventType } = resolveName(schema, request.name);
  const base = { customerCode: request.customerCode ?? DEFAULT_CUSTOMER, modelType, eventType };
  const tail = { timestamp: onsTimestamp(request.now ?? new Date()), amountOfRetries: request.retries ?? 0 };
  if (eventType !== 'CUSTOM') {
    if (request.id === undefined) throw new UserError(`${modelType}.${eventType} is a CRUD event and carries the id of the changed record: add --id <number>, e.g. --id 4711.`);
    if (request.payload !== undefined && request.payload.size > 0) throw new UserError(`${modelType}.${eventType} has no payload (only CUSTOM events do): leave out --payload.`);
    return { ...base, id: request.id, ...tail };
  }
  const payload = customPayload(modelType, schema.customEvents[modelType] ?? {}, request.payload ?? new Map());
  const id = request.id ?? deprecatedCustomId(payload);
  return { ...base, ...(id === undefined ? {} : { id }), payload, ...tail };
}

/** The NOP event Ons sends when a URL is configured (its body is an assumption: see the schema's $comment). */
export function buildNopEvent(schema: WebhookEventSchema, customerCode = DEFAULT_CUSTOMER, now = new Date()): WebhookEvent {
  return { customerCode, modelType: schema.nop.modelType, eventType: schema.nop.eventType, timestamp: onsTimestamp(now), amountOfRetries: 0 };
}

/** Checks an event against the schema; the problems found, none when it is one Ons could send. */
export function eventProblems(schema: WebhookEventSchema, event: unknown): string[] {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return ['the event is not a JSON object'];
  const fields = event as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of ['customerCode', 'eventType', 'modelType', 'timestamp', 'amountOfRetries']) if (!(name in fields)) problems.push(`${name} is missing`);
  if (typeof fields.customerCode !== 'string') problems.push('customerCode is not text');
  if (!Number.isInteger(fields.amountOfRetries)) problems.push('amountOfRetries is not an integer');
  if (typeof fields.timestamp !== 'string' || Number.isNaN(Date.parse(fields.timestamp))) problems.push('timestamp is not a date-time');
  if (fields.id !== undefined && !Number.isInteger(fields.id)) problems.push('id is not an integer');
  const modelType = String(fields.modelType);
  const eventType = String(fields.eventType);
  if (eventType === 'CUSTOM') {
    const payloadFields = schema.customEvents[modelType];
    if (payloadFields === undefined) problems.push(`${modelType} is not a CUSTOM event of the schema`);
    const payload = fields.payload;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) problems.push('a CUSTOM event has a payload object');
    else if (payloadFields) for (const key of Object.keys(payload)) if (!(key in payloadFields)) problems.push(`payload.${key} is not a field of ${modelType}`);
  } else if (schema.modelTypes[modelType]?.includes(eventType)) {
    if (fields.id === undefined) problems.push(`${modelType}.${eventType} has no id`);
    if (fields.payload !== undefined) problems.push('only CUSTOM events have a payload');
  } else if (!(modelType === schema.nop.modelType && eventType === schema.nop.eventType)) {
    problems.push(`${modelType}.${eventType} is not an event of the schema`);
  }
  return problems;
}

function resolveName(schema: WebhookEventSchema, name: string): { modelType: string; eventType: string } {
  const dot = name.lastIndexOf('.');
  const modelType = dot < 0 ? name : name.slice(0, dot);
  const eventType = dot < 0 ? undefined : name.slice(dot + 1).toUpperCase();
  if (schema.customEvents[modelType] !== undefined && (eventType === undefined || eventType === 'CUSTOM')) return { modelType, eventType: 'CUSTOM' };
  const events = schema.modelTypes[modelType];
  if (events !== undefined && eventType !== undefined && events.includes(eventType)) return { modelType, eventType };
  const list = '"ons-proxy webhooks trigger --list" lists them all';
  if (events !== undefined) {
    const said = eventType === undefined ? `${modelType} needs an event type` : `Ons sends no ${eventType} event for ${modelType}`;
    throw new UserError(`${said}: use ${events.map((event) => `${modelType}.${event}`).join(', ')}.`);
  }
  const near = nearest(modelType, [...Object.keys(schema.modelTypes), ...Object.keys(schema.customEvents)]);
  throw new UserError(`Unknown webhook model or event "${name}"${near.length ? `; nearest: ${near.join(', ')}` : ''}. Write <modelType>.<eventType> (client.UPDATE) or a CUSTOM event's name; ${list}.`);
}

function customPayload(name: string, fields: Readonly<Record<string, PayloadField>>, given: ReadonlyMap<string, string>): Record<string, string | number> {
  for (const key of given.keys()) {
    if (fields[key] === undefined) {
      const known = Object.keys(fields);
      throw new UserError(`The CUSTOM event ${name} has no payload field "${key}": its fields are ${known.join(', ')}.`);
    }
  }
  const payload: Record<string, string | number> = {};
  for (const [key, field] of Object.entries(fields)) {
    const text = given.get(key);
    if (field.type === 'integer') {
      const value = text === undefined ? 1 : Number(text);
      if (!Number.isSafeInteger(value)) throw new UserError(`payload ${key} of ${name} is an integer: got "${text ?? ''}".`);
      payload[key] = value;
    } else {
      const value = text ?? field.example ?? field.enum?.[0] ?? '';
      if (field.enum && !field.enum.includes(value)) throw new UserError(`payload ${key} of ${name} is one of ${field.enum.join(', ')}: got "${value}".`);
      payload[key] = value;
    }
  }
  return payload;
}

/**
 * Until 1 Mar 2027 a CUSTOM event still carries a top-level id, but only when the payload has
 * exactly one top-level field ending in "id" with an integral value (ons-api.nl).
 */
function deprecatedCustomId(payload: Readonly<Record<string, string | number>>): number | undefined {
  const ids = Object.entries(payload).filter(([key, value]) => key.toLowerCase().endsWith('id') && Number.isInteger(value));
  return ids.length === 1 ? (ids[0]?.[1] as number) : undefined;
}

/** "2024-08-22T10:08:11+02:00": local time with its offset, as in Ons's example. */
export function onsTimestamp(moment: Date): string {
  const pad = (n: number): string => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const offset = -moment.getTimezoneOffset();
  const zone = `${offset < 0 ? '-' : '+'}${pad(offset / 60)}:${pad(offset % 60)}`;
  return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}${zone}`;
}

/** Up to three names closest to `word` (edit distance), for "did you mean". */
export function nearest(word: string, candidates: readonly string[]): string[] {
  const lower = word.toLowerCase();
  return candidates
    .map((candidate) => ({ candidate, distance: editDistance(lower, candidate.toLowerCase()) }))
    .filter(({ candidate, distance }) => distance <= Math.max(2, Math.floor(candidate.length / 3)) || candidate.includes(lower))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export interface DeliveredEvent {
  /** modelType.eventType, or a note when the body is no event ("not JSON"). */
  readonly event: string;
  readonly id?: string;
  readonly json: boolean;
}

/** What a delivered body says it is, for records and lines; a body that is no JSON event says so. */
export function deliveredEvent(body: Buffer): DeliveredEvent {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return { event: 'not JSON', json: false };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { event: 'not an event', json: true };
  const { modelType, eventType, id } = value as Record<string, unknown>;
  const event = `${typeof modelType === 'string' ? modelType : '?'}.${typeof eventType === 'string' ? eventType : '?'}`;
  return typeof id === 'number' || typeof id === 'string' ? { event, id: String(id), json: true } : { event, json: true };
}
