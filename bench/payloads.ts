// The bodies both upstreams (Node and nginx) serve, so every row measures the same bytes.
import { onsListAnswer, onsObjectAnswer } from '../test/support/ons-payloads.js';

/** Exactly 1024 bytes of JSON shaped like an Ons list response: the first rounds' workload, kept for comparison. */
export const JSON_BODY: Buffer = buildJsonBody(1024);

function buildJsonBody(size: number): Buffer {
  const base = { data: [{ id: 1, objectId: 'client-1', firstName: 'Demo', lastName: 'Client', active: true }], pad: '' };
  const empty = Buffer.byteLength(JSON.stringify(base));
  base.pad = 'x'.repeat(size - empty);
  const body = Buffer.from(JSON.stringify(base));
  if (body.length !== size) throw new Error(`JSON body is ${body.length} bytes, not ${size}`);
  return body;
}

export interface JsonPayload {
  /** Path on both upstreams. */
  readonly path: string;
  readonly label: string;
  readonly body: Buffer;
}

/** What the JSON workloads fetch: the 1 KB body, one Ons client (4 KB) and a page of them (50 KB). */
export const JSON_PAYLOADS = {
  '1k': { path: '/json', label: '1 KB JSON', body: JSON_BODY },
  '4k': { path: '/json-4k', label: '4 KB JSON (one Ons client)', body: onsObjectAnswer(4 * 1024) },
  '50k': { path: '/json-50k', label: '50 KB JSON (a page of Ons clients)', body: onsListAnswer(50 * 1024) },
} as const satisfies Record<string, JsonPayload>;

export type PayloadName = keyof typeof JSON_PAYLOADS;

/** The answer the memory workload downloads over and over on 4 connections. */
export const REPEATED_DOWNLOAD_BYTES = 50 * 1024 * 1024;

/** One 64 KB block the Node upstream writes over and over for the download. */
export const DOWNLOAD_CHUNK: Buffer = Buffer.alloc(64 * 1024, 'ons-mtls-proxy benchmark ');
