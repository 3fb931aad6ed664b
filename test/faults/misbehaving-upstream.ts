// An mTLS upstream that breaks the rules on purpose, one behaviour per path, written on
// node:https with raw socket access so it can do what no well-behaved server does.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import type tls from 'node:tls';

export interface MisbehavingUpstream {
  /** https://localhost:PORT */
  readonly url: string;
  /** How many requests reached each path (requests killed on arrival included). */
  arrivals(path: string): number;
  /** Resolves once `count` requests in total have reached `path`. */
  arrived(path: string, count?: number): Promise<void>;
  /** Resolves when the connection that carried the latest request to `path` closes. */
  connectionClosed(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface UpstreamTls {
  readonly certPem: string;
  readonly keyPem: string;
  /** CAs whose client certificates are accepted. */
  readonly clientCaPem: string;
  readonly maxVersion?: tls.SecureVersion;
}

const BODY_SIZE = 256 * 1024;

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

const BEHAVIOURS: Record<string, Behaviour> = {
  '/ok': (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  },
  // Sends part of a declared body, then drops the connection.
  '/reset-mid-body': (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(BODY_SIZE) });
    res.write(Buffer.alloc(BODY_SIZE / 4, 7), () => setTimeout(() => req.socket.destroy(), 20));
  },
  // Same over chunked encoding, where only the missing last chunk tells the client.
  '/reset-mid-chunked': (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(Buffer.alloc(BODY_SIZE / 4, 7), () => setTimeout(() => req.socket.destroy(), 20));
  },
  // A small declared body (collected whole before anything reaches the client) that breaks off.
  '/reset-small-body': (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2048' });
    res.write('{"partial":', () => setTimeout(() => req.socket.destroy(), 20));
  },
  '/own-reason-phrase': (req, res) => {
    req.resume();
    res.writeHead(202, 'Queued For Import', { 'content-type': 'application/json' }).end('{"queued":true}');
  },
  '/stall-before-headers': (req) => {
    req.resume();
  },
  '/stall-mid-body': (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(BODY_SIZE) });
    res.write(Buffer.alloc(1024, 7));
  },
  '/malformed-headers': (req) => {
    req.resume();
    req.socket.end('HTTP/1.1 200 OK\r\nContent Length: 2\r\n\r\nok');
  },
  // (node:tls cannot send a TCP reset; dropping the connection without a TLS close_notify is what clients see of one.)
  '/reset-before-response': (req) => {
    req.socket.destroy();
  },
  '/upstream-error': (req, res) => {
    req.resume();
    res.writeHead(502, 'Bad Gateway', { 'content-type': 'application/json', 'x-upstream': 'kept' }).end('{"errorResponseEntries":[{"message":"upstream says no"}]}');
  },
  '/unavailable': (req, res) => {
    req.resume();
    res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '0' }).end('updating');
  },
  // Serves the first request of each connection; any later one on the same (pooled) connection
  // is killed on arrival, like a server that just closed an idle keep-alive socket.
  '/idle-close': (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'keep-alive' }).end('fresh connection');
  },
};

export async function startMisbehavingUpstream(options: UpstreamTls): Promise<MisbehavingUpstream> {
  const arrivals = new Map<string, number>();
  const lastSocket = new Map<string, Socket>();
  const requestsOnSocket = new WeakMap<Socket, number>();
  const sockets = new Set<Socket>();
  const waiters: Array<{ path: string; count: number; resolve: () => void }> = [];

  const server = https.createServer(
    { cert: options.certPem, key: options.keyPem, ca: options.clientCaPem, requestCert: true, rejectUnauthorized: true, maxVersion: options.maxVersion ?? 'TLSv1.3' },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      arrivals.set(path, (arrivals.get(path) ?? 0) + 1);
      lastSocket.set(path, req.socket);
      for (const waiter of waiters.filter((w) => w.path === path && w.count <= (arrivals.get(path) ?? 0))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      const served = (requestsOnSocket.get(req.socket) ?? 0) + 1;
      requestsOnSocket.set(req.socket, served);
      if (path === '/idle-close' && served > 1) {
        req.socket.destroy();
        return;
      }
      const behaviour = BEHAVIOURS[path];
      if (behaviour) behaviour(req, res);
      else res.writeHead(404).end();
    },
  );
  server.keepAliveTimeout = 60_000;
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;

  return {
    url: `https://localhost:${port}`,
    arrivals: (path) => arrivals.get(path) ?? 0,
    arrived(path, count = 1) {
      if ((arrivals.get(path) ?? 0) >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ path, count, resolve }));
    },
    async connectionClosed(path) {
      const socket = lastSocket.get(path);
      if (!socket) throw new Error(`no request reached ${path}`);
      if (!socket.destroyed) await once(socket, 'close');
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Accepts TCP connections and never answers the TLS handshake: a connect timeout. */
export async function startSilentListener(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  server.close();
  await once(server, 'close');
  return `https://localhost:${port}`;
}

/**
 * `openssl s_server` refusing every client certificate during the handshake, with a TLS
 * alert, as OpenSSL-based servers do (node:tls only drops the connection).
 */
export async function startRefusingOpenSslServer(files: { certPath: string; keyPath: string; clientCaPath: string }, version: 'tls1_2' | 'tls1_3'): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(
    'openssl',
    ['s_server', '-accept', '0', '-cert', files.certPath, '-key', files.keyPath, '-CAfile', files.clientCaPath, '-Verify', '1', '-verify_return_error', `-${version}`, '-www'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ACCEPT .*:(\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', () => reject(new Error(`openssl s_server exited: ${output}`)));
  });
  return {
    url: `https://localhost:${port}`,
    async close() {
      if (child.exitCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}
