/**
 * Routes that behave like the Ons development API where a developer would notice:
 * bare-array pagination, the two error styles, JSON-only bodies, endpoint filtering.
 */
import type { ServerResponse } from 'node:http';
import { CLIENTS, EMPLOYEES } from './fixtures.js';
import {
  BodyError,
  NDJSON_TYPE,
  type Route,
  type RouteContext,
  isJsonContentType,
  readJsonBody,
  sendJson,
  sendOnsError,
  sendText,
} from './mock-http.js';

const JSON_ONLY = ['application/json'] as const;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const MAX_NOTE_BODY_BYTES = 64 * 1024;
const MAX_NOTE_TEXT = 4000;
const NOTE_CATEGORIES = ['general', 'care', 'medical'] as const;

export function parseIntegerParam(ctx: RouteContext, name: string, fallback: number, min: number, max: number): number | undefined {
  const raw = ctx.url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
  sendOnsError(ctx.res, 400, { field: name, value: raw, message: `${name} must be an integer from ${min} to ${max}` });
  return undefined;
}

export function listRoute<T>(pattern: RegExp, items: readonly T[]): Route {
  return {
    methods: ['GET'],
    pattern,
    produces: JSON_ONLY,
    handle(ctx) {
      const limit = parseIntegerParam(ctx, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
      if (limit === undefined) return;
      const offset = parseIntegerParam(ctx, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
      if (offset === undefined) return;
      sendJson(ctx.res, 200, items.slice(offset, offset + limit));
    },
  };
}

export function findById<T extends { id: number }>(items: readonly T[], raw: string | undefined): T | undefined {
  return items.find((item) => String(item.id) === raw);
}

function notFoundEntry(res: ServerResponse, kind: string, id: string): void {
  sendOnsError(res, 404, { field: 'id', value: id, message: `${kind} with id ${id} not found` });
}

function itemRoute<T extends { id: number }>(pattern: RegExp, items: readonly T[], kind: string): Route {
  return {
    methods: ['GET'],
    pattern,
    produces: JSON_ONLY,
    handle(ctx) {
      const id = ctx.params[0] ?? '';
      const item = findById(items, id);
      if (item === undefined) notFoundEntry(ctx.res, kind, id);
      else sendJson(ctx.res, 200, item);
    },
  };
}

interface Note {
  id: number;
  clientId: number;
  text: string;
  category: string;
  createdAt: string;
}

/** Field-level validation, answered with 422 the way Ons reports semantic errors. */
function validateNote(body: unknown): { text: string; category: string } | { field: string; value: string; message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { field: 'body', value: JSON.stringify(body) ?? '', message: 'body must be a JSON object' };
  }
  const { text, category = 'general' } = body as Record<string, unknown>;
  if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_NOTE_TEXT) {
    return { field: 'text', value: String(text), message: `text must be a non-empty string of at most ${MAX_NOTE_TEXT} characters` };
  }
  if (typeof category !== 'string' || !(NOTE_CATEGORIES as readonly string[]).includes(category)) {
    return { field: 'category', value: String(category), message: `category must be one of ${NOTE_CATEGORIES.join(', ')}` };
  }
  return { text, category };
}

/** POST a note to a client; `pattern` captures the client id, `locationOf` names the new note. */
export function notesRoute(pattern: RegExp, locationOf: (clientId: number, noteId: number) => string): Route {
  // Notes live as long as the mock, so a developer can see ids advance.
  let nextId = 1;
  return {
    methods: ['POST'],
    pattern,
    produces: JSON_ONLY,
    async handle(ctx) {
      const id = ctx.params[0] ?? '';
      const client = findById(CLIENTS, id);
      if (!isJsonContentType(ctx.req.headers['content-type'])) {
        ctx.req.resume();
        sendOnsError(ctx.res, 415, {
          field: 'Content-Type',
          value: ctx.req.headers['content-type'] ?? '',
          message: 'Content-Type must be application/json',
        });
        return;
      }
      let body: unknown;
      try {
        body = await readJsonBody(ctx.req, MAX_NOTE_BODY_BYTES);
      } catch (error) {
        if (!(error instanceof BodyError)) throw error;
        // Drain whatever is left so the connection stays usable for keep-alive.
        ctx.req.resume();
        sendOnsError(ctx.res, error.status, { field: 'body', value: '', message: error.message });
        return;
      }
      if (client === undefined) {
        notFoundEntry(ctx.res, 'client', id);
        return;
      }
      const result = validateNote(body);
      if ('message' in result) {
        sendOnsError(ctx.res, 422, result);
        return;
      }
      const note: Note = { id: nextId++, clientId: client.id, ...result, createdAt: new Date().toISOString() };
      sendJson(ctx.res, 201, note, { location: locationOf(client.id, note.id) });
    },
  };
}

/**
 * The /t/ routes Ons served until it removed them on 2026-05-19. Ons now answers them 404;
 * the mock serves them only when asked (startMockOnsApi's `removedPaths: 'serve'`), for
 * suites written against them.
 */
export function createRemovedOnsRoutes(): Route[] {
  return [
    {
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      pattern: /^\/t\/finance(\/.*)?$/,
      handle: notEnabled,
    },
    listRoute(/^\/t\/clients$/, CLIENTS),
    {
      methods: ['GET'],
      pattern: /^\/t\/clients\/export$/,
      produces: [NDJSON_TYPE],
      handle(ctx) {
        ctx.res.writeHead(200, { 'content-type': NDJSON_TYPE });
        for (const client of CLIENTS) ctx.res.write(`${JSON.stringify(client)}\n`);
        ctx.res.end();
      },
    },
    itemRoute(/^\/t\/clients\/([^/]+)$/, CLIENTS, 'client'),
    notesRoute(/^\/t\/clients\/([^/]+)\/notes$/, (clientId, noteId) => `/t/clients/${clientId}/notes/${noteId}`),
    listRoute(/^\/t\/employees$/, EMPLOYEES),
    itemRoute(/^\/t\/employees\/([^/]+)$/, EMPLOYEES, 'employee'),
  ];
}

/** Stands for endpoints not approved in the connection's Technical Design. */
export function notEnabled(ctx: RouteContext): void {
  ctx.req.resume();
  sendOnsError(ctx.res, 403, {
    field: 'endpoint',
    value: ctx.url.pathname,
    message: 'This endpoint is not enabled for this connection',
  });
}

/** GET /ping: the documented certificate check. */
export const PING_ROUTE: Route = {
  // It answers text/plain and is exempt from the Accept gate so a setup check never fails
  // for a reason unrelated to the certificate.
  methods: ['GET', 'HEAD'],
  pattern: /^\/ping$/,
  handle: (ctx) => sendText(ctx.res, 200, 'pong'),
};
