// The benchmark's own mTLS upstream, run as a child process (`node bench/dist/bench/upstream-server.js`)
// so it never competes with the load generator for the benchmark's event loop. It does as
// little as possible per request: a prebuilt 1 KB JSON body, and a download streamed from one
// reused 64 KB buffer with backpressure, so the proxy and not the upstream is what is measured.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { JSON_BODY, DOWNLOAD_CHUNK } from './payloads.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const downloadBytes = Number(env('BENCH_DOWNLOAD_BYTES'));
const jsonHeaders = { 'content-type': 'application/json', 'content-length': String(JSON_BODY.length) };

const server = https.createServer(
  {
    cert: readFileSync(env('BENCH_SERVER_CERT')),
    key: readFileSync(env('BENCH_SERVER_KEY')),
    ca: readFileSync(env('BENCH_CA')),
    // Like the Ons API: the handshake fails without a client certificate signed by the CA.
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    // Longer than any client's keep-alive, so idle pooled sockets are not closed under them.
    keepAliveTimeout: 65_000,
  },
  (request, response) => {
    if (request.url === '/json') {
      response.writeHead(200, jsonHeaders).end(JSON_BODY);
      return;
    }
    if (request.url === '/download') {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(downloadBytes) });
      let left = downloadBytes;
      const pump = (): void => {
        while (left > 0) {
          const chunk = left >= DOWNLOAD_CHUNK.length ? DOWNLOAD_CHUNK : DOWNLOAD_CHUNK.subarray(0, left);
          left -= chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      response.once('close', () => {
        left = 0;
      });
      pump();
      return;
    }
    if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    response.writeHead(404).end();
  },
);

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ port });
});

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
// The parent's IPC channel closing means the benchmark is gone: do not linger.
process.once('disconnect', () => process.exit(0));
