// The bodies both upstreams (Node and nginx) serve, so every row measures the same bytes.

/** Exactly 1024 bytes of JSON shaped like an Ons list response. */
export const JSON_BODY: Buffer = buildJsonBody(1024);

function buildJsonBody(size: number): Buffer {
  const base = { data: [{ id: 1, objectId: 'client-1', firstName: 'Demo', lastName: 'Client', active: true }], pad: '' };
  const empty = Buffer.byteLength(JSON.stringify(base));
  base.pad = 'x'.repeat(size - empty);
  const body = Buffer.from(JSON.stringify(base));
  if (body.length !== size) throw new Error(`JSON body is ${body.length} bytes, not ${size}`);
  return body;
}

/** One 64 KB block the Node upstream writes over and over for the download. */
export const DOWNLOAD_CHUNK: Buffer = Buffer.alloc(64 * 1024, 'ons-mtls-proxy benchmark ');
