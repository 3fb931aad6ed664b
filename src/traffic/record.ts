// The traffic record: one per exchange, the product's central data type. The file line,
// the console line, the inspector, the HAR export, `logs` and the endpoint report all read
// this shape. TypeBox declares it once: the JSON Schema below is what tests validate
// against, and the TypeScript type is derived from it, so the two cannot drift apart.
import { Type, type Static } from '@sinclair/typebox';

export const BODY_ENCODINGS = ['json', 'text', 'base64', 'omitted'] as const;

export const HeadersSchema = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]), {
  description: 'Header names in lower case. Repeated headers (set-cookie) are arrays. Secret values read "[redacted]".',
});

export const MessageSchema = Type.Object(
  {
    headers: HeadersSchema,
    body: Type.Optional(
      Type.Unknown({
        description: 'json: the parsed JSON value; text: a string; base64: the bytes in base64; omitted: absent (bodyNote says why when bodies are recorded).',
      }),
    ),
    bodyBytes: Type.Integer({ minimum: 0, description: 'Size of the whole body on the wire, even when the recorded body was cut.' }),
    bodyTruncated: Type.Boolean({ description: 'true when only the first ONS_PROXY_LOG_BODY_LIMIT bytes were kept.' }),
    bodyEncoding: Type.Union(
      BODY_ENCODINGS.map((encoding) => Type.Literal(encoding)),
      { description: 'How `body` holds the bytes. gzip, deflate and br bodies are recorded decoded.' },
    ),
    bodyNote: Type.Optional(
      Type.String({ description: 'Why the body is recorded in another form than its type suggests, or not at all (too deeply nested JSON, a body that could not be checked for ONS_PROXY_REDACT_FIELDS).' }),
    ),
  },
  { additionalProperties: false },
);

export const FindingSchema = Type.Object(
  {
    where: Type.String({ description: 'What the finding is about, e.g. request.query.from_date or response.body[0].birthDate.' }),
    message: Type.String(),
  },
  { additionalProperties: false },
);

export const OperationSchema = Type.Object(
  {
    id: Type.String({ description: 'The operationId, e.g. ClientAPI.byId ("METHOD path" when the document gives none).' }),
    summary: Type.Optional(Type.String()),
    tag: Type.Optional(Type.String({ description: "The operation's first tag." })),
    path: Type.String({ description: 'The path template, e.g. /v0/administration/clients/{id}.' }),
    deprecated: Type.Optional(Type.Literal(true)),
    deprecatedSince: Type.Optional(Type.String({ description: 'YYYY-MM-DD.' })),
    replacedBy: Type.Optional(Type.String({ description: 'The path that replaced a deprecated operation (same method).' })),
  },
  { additionalProperties: false, description: 'The operation of the API document (ONS_PROXY_OPENAPI) this exchange was.' },
);

export const TrafficRecordSchema = Type.Object(
  {
    id: Type.String({ description: 'Equals the x-request-id response header.' }),
    time: Type.String({ format: 'date-time', description: 'When the request arrived (ISO 8601, UTC).' }),
    durationMs: Type.Number({ minimum: 0, description: 'From arrival until the response ended or the client went away.' }),
    method: Type.String(),
    url: Type.String({ description: 'Path and query exactly as the client sent them.' }),
    upstreamUrl: Type.Optional(Type.String({ description: 'Where the request went; absent when the proxy answered itself.' })),
    status: Type.Integer({ minimum: 0, maximum: 999, description: 'Status the client got; 0 when the client went away before any response.' }),
    profile: Type.String({ description: 'Configuration profile that handled the exchange ("default" without profiles).' }),
    tag: Type.Optional(Type.String({ description: 'ONS_PROXY_LOG_TAG.' })),
    queuedMs: Type.Number({ minimum: 0, description: 'Time spent waiting for a free upstream slot.' }),
    hint: Type.Optional(Type.String({ description: 'What an Ons status (403, 406, 429, 495, ...) usually means, or what replaced a removed or deprecated operation, for the developer.' })),
    operation: Type.Optional(OperationSchema),
    findings: Type.Optional(
      Type.Array(FindingSchema, { description: 'Advisory checks against the API document: parameters, bodies and answers that do not fit the operation.' }),
    ),
    notChecked: Type.Optional(Type.Array(FindingSchema, { description: 'Parts the checks skipped and why (a body cut at the record limit).' })),
    answeredBy: Type.Optional(
      Type.Union([Type.Literal('upstream'), Type.Literal('fixture'), Type.Literal('mock'), Type.Literal('proxy')], {
        description:
          'Which answer source answered: the upstream API (absent means the same, for records of older versions), a fixture of replay, the mock generated from the API document, or the proxy itself (a guard, the Technical Design, an upstream failure).',
      }),
    ),
    design: Type.Optional(
      Type.Object(
        {
          verdict: Type.Union([Type.Literal('blocked'), Type.Literal('filtered'), Type.Literal('passed')], {
            description: 'blocked: no use case of the Technical Design lists the operation, so it was not answered; filtered: fields the design does not select were removed from the answer; passed: allowed and nothing removed.',
          }),
          removedFields: Type.Optional(Type.Array(Type.String(), { description: 'Field paths removed from the answer (dot paths, [] for array items).' })),
        },
        { additionalProperties: false, description: 'What the Technical Design (--design) did to this exchange.' },
      ),
    ),
    webhook: Type.Optional(
      Type.Object(
        {
          direction: Type.Union([Type.Literal('received'), Type.Literal('sent')], { description: 'received by `webhooks listen`, or sent by trigger/handshake/replay.' }),
          event: Type.String({ description: 'modelType.eventType, e.g. client.UPDATE.' }),
          id: Type.Optional(Type.String({ description: "The event's id, as text (int64)." })),
          signature: Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('missing'), Type.Literal('unchecked')], {
            description: 'Whether X-Signature-SHA512 matches the configured secret.',
          }),
          encoding: Type.Optional(Type.Union([Type.Literal('hex'), Type.Literal('base64')], { description: 'The signature encoding that matched or was used.' })),
          forwardedTo: Type.Optional(Type.String({ description: 'Where `listen` forwarded the delivery.' })),
          warning: Type.Optional(Type.String({ description: 'What Ons would have made of the answer (a timeout, 200 to a badly signed event).' })),
        },
        { additionalProperties: false, description: 'A webhook delivery: the request is the event as delivered, the response what the receiver answered.' },
      ),
    ),
    request: MessageSchema,
    response: MessageSchema,
    error: Type.Optional(
      Type.Object(
        { code: Type.String(), message: Type.String() },
        { additionalProperties: false, description: 'Why the exchange failed (upstream unreachable, TLS refused, proxy error).' },
      ),
    ),
    aborted: Type.Optional(Type.Literal(true, { description: 'The client went away before the response was complete.' })),
    repeated: Type.Optional(
      Type.Object(
        {
          count: Type.Integer({ minimum: 2, description: 'How many refusals this record stands for, itself included.' }),
          until: Type.String({ format: 'date-time', description: 'When the last of them arrived (ISO 8601, UTC).' }),
          lastId: Type.String({ description: 'The x-request-id the last of them got.' }),
        },
        {
          additionalProperties: false,
          description:
            'Present on a guard refusal that stands for identical ones (same code, status, method, Origin, Host and path) that followed the first within a second, or longer while they go on; their ids have no record of their own.',
        },
      ),
    ),
  },
  { additionalProperties: false, $id: 'https://ons-mtls-proxy/traffic-record.json' },
);

export type TrafficRecord = Static<typeof TrafficRecordSchema>;
export type TrafficMessage = Static<typeof MessageSchema>;
export type RepeatedRefusal = NonNullable<TrafficRecord['repeated']>;
export type RecordFinding = Static<typeof FindingSchema>;
export type RecordOperation = Static<typeof OperationSchema>;
export type RecordHeaders = Static<typeof HeadersSchema>;
export type BodyEncoding = (typeof BODY_ENCODINGS)[number];

export { localDay, TRAFFIC_FILE_PATTERN, trafficFileName } from './files.js';
