// An mTLS upstream that answers documents a browser renders (HTML, SVG, untyped) with a
// script in them, signed by the demo CA so the proxy trusts it, and counting what arrives.
import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { DemoPki } from '../../src/demo/index.js';

/** What the planted script leaves in document.title: it ran, then what it could read of the inspector's API. */
export const HOSTILE_SCRIPT =
  "document.title = 'script ran'; fetch('/__proxy/api/exchanges').then((r) => r.text()).then((t) => { document.title = 'read ' + t.length; }, (e) => { document.title = 'blocked ' + e; });";

const DOCUMENTS: Readonly<Record<string, { type: string | undefined; body: string }>> = {
  '/docs/page.html': { type: 'text/html; charset=utf-8', body: `<!doctype html><title>untouched</title><p>stored document</p><script>${HOSTILE_SCRIPT}</script>` },
  '/docs/image.svg': { type: 'image/svg+xml', body: `<svg xmlns="http://www.w3.org/2000/svg"><title>untouched</title><script>${HOSTILE_SCRIPT}</script></svg>` },
  '/docs/untyped': { type: undefined, body: `<!doctype html><title>untouched</title><script>${HOSTILE_SCRIPT}</script>` },
  '/docs/data.json': { type: 'application/json', body: '{"lastName":"Jansen"}' },
};

export interface DocumentUpstream {
  readonly url: string;
  /** Requests that reached it, as "METHOD path". */
  readonly arrivals: string[];
  close(): Promise<void>;
}

export async function startDocumentUpstream(pki: DemoPki): Promise<DocumentUpstream> {
  const arrivals: string[] = [];
  const server = https.createServer({ cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    arrivals.push(`${req.method} ${req.url}`);
    req.resume();
    const document = DOCUMENTS[req.url ?? ''];
    if (!document) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    // Without a type Node still sends none: the browser sniffs.
    res.writeHead(200, { ...(document.type ? { 'content-type': document.type } : {}), 'content-length': Buffer.byteLength(document.body) });
    res.end(document.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    arrivals,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
