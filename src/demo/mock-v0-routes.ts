/**
 * The mock's primary API: /v0/administration/ routes in the shape Ons serves since its
 * 2025 migration, described by config/demo-openapi.json (what `ons-proxy demo` loads).
 */
import { CLIENTS, EMPLOYEES, toV0Client } from './fixtures.js';
import { NDJSON_TYPE, type Route, type RouteContext, sendJson, sendOnsError, sendProblem } from './mock-http.js';
import { findById, listRoute, notEnabled, notesRoute, PING_ROUTE } from './mock-routes.js';

const JSON_ONLY = ['application/json'] as const;
const V0_CLIENTS = CLIENTS.map(toV0Client);
const BASE = '/v0/administration';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function requireQuery(ctx: RouteContext, name: string, pattern?: RegExp): string | undefined {
  const value = ctx.url.searchParams.get(name);
  if (value !== null && (pattern === undefined || pattern.test(value))) return value;
  // Ons's terse 400: which field, not what it should have been.
  sendOnsError(ctx.res, 400, { field: name, value: value ?? '', message: value === null ? `${name} is required` : `${name} is invalid` });
  return undefined;
}

function clientsByIds(ids: readonly string[]): unknown[] {
  return ids.flatMap((id) => {
    const client = findById(CLIENTS, id);
    return client ? [toV0Client(client)] : [];
  });
}

export function createV0Routes(): Route[] {
  return [
    PING_ROUTE,
    // Filtering happens before routing at Ons: listed first.
    { methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], pattern: /^\/v0\/finance(\/.*)?$/, handle: notEnabled },
    listRoute(/^\/v0\/administration\/clients$/, V0_CLIENTS),
    {
      methods: ['GET'],
      pattern: /^\/v0\/administration\/clients\/export$/,
      produces: [NDJSON_TYPE],
      handle(ctx) {
        ctx.res.writeHead(200, { 'content-type': NDJSON_TYPE });
        for (const client of V0_CLIENTS) ctx.res.write(`${JSON.stringify(client)}\n`);
        ctx.res.end();
      },
    },
    {
      // Deprecated at Ons since 01-03-2026, still served.
      methods: ['GET'],
      pattern: /^\/v0\/administration\/clients\/find$/,
      produces: JSON_ONLY,
      handle(ctx) {
        const name = (ctx.url.searchParams.get('name') ?? '').toLowerCase();
        sendJson(ctx.res, 200, CLIENTS.filter((client) => client.lastName.toLowerCase().includes(name)).map(toV0Client));
      },
    },
    {
      methods: ['GET'],
      pattern: /^\/v0\/administration\/clients\/multiple$/,
      produces: JSON_ONLY,
      handle: (ctx) => sendJson(ctx.res, 200, clientsByIds(ctx.url.searchParams.getAll('ids[]'))),
    },
    {
      methods: ['GET'],
      pattern: /^\/v0\/administration\/clients\/in_care_in_period$/,
      produces: JSON_ONLY,
      handle(ctx) {
        if (requireQuery(ctx, 'from_date', DATE) === undefined || requireQuery(ctx, 'to_date', DATE) === undefined) return;
        sendJson(ctx.res, 200, CLIENTS.filter((client) => client.active).map(toV0Client));
      },
    },
    {
      methods: ['GET'],
      pattern: /^\/v0\/administration\/clients\/([^/]+)\/last_visited_clients$/,
      produces: JSON_ONLY,
      handle(ctx) {
        const id = ctx.params[0] ?? '';
        if (findById(EMPLOYEES, id) === undefined) sendProblem(ctx.res, 404, 'Not Found', `Employee with id ${id} does not exist`);
        else sendJson(ctx.res, 200, V0_CLIENTS.slice(0, 3));
      },
    },
    {
      methods: ['GET'],
      pattern: /^\/v0\/administration\/clients\/([^/]+)$/,
      produces: JSON_ONLY,
      handle(ctx) {
        const id = ctx.params[0] ?? '';
        if (!/^\d+$/.test(id)) {
          sendOnsError(ctx.res, 400, { field: 'id', value: id, message: 'id is invalid' });
          return;
        }
        const client = findById(CLIENTS, id);
        if (client === undefined) sendProblem(ctx.res, 404, 'Not Found', `Client with id ${id} does not exist`);
        else sendJson(ctx.res, 200, toV0Client(client));
      },
    },
    notesRoute(/^\/v0\/administration\/clients\/([^/]+)\/notes$/, (clientId, noteId) => `${BASE}/clients/${clientId}/notes/${noteId}`),
    listRoute(/^\/v0\/administration\/employees$/, EMPLOYEES),
    {
      methods: ['GET'],
      pattern: /^\/v0\/administration\/employees\/([^/]+)$/,
      produces: JSON_ONLY,
      handle(ctx) {
        const id = ctx.params[0] ?? '';
        const employee = findById(EMPLOYEES, id);
        if (employee === undefined) sendProblem(ctx.res, 404, 'Not Found', `Employee with id ${id} does not exist`);
        else sendJson(ctx.res, 200, employee);
      },
    },
  ];
}
