// Row (i): the chosen stack with none of the proxy's own code: fastify, @fastify/http-proxy
// and an undici Agent presenting the same client certificate and verifying the upstream, with
// no recording, no guards, no console line. What the proxy's rows cost above this row is the
// proxy's own work; this row against nginx is what the stack itself allows on this machine.
import { readFileSync } from 'node:fs';
import httpProxy from '@fastify/http-proxy';
import Fastify from 'fastify';
import { Agent } from 'undici';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const agent = new Agent({
  connect: { cert: readFileSync(env('BENCH_CLIENT_CERT')), key: readFileSync(env('BENCH_CLIENT_KEY')), ca: readFileSync(env('BENCH_CA')), rejectUnauthorized: true },
  keepAliveTimeout: 10_000,
});
// Uploads of any size stream through, as in the proxy (the memory workload sends 1 GiB); fastify's default stops at 1 MiB.
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 ** 3 });
await app.register(httpProxy, {
  upstream: env('BENCH_UPSTREAM'),
  undici: agent,
  // undici refuses an Expect header (curl sends one with a large upload); Node's server has already answered 100 Continue.
  replyOptions: { rewriteRequestHeaders: (_request, headers) => ({ ...headers, expect: undefined }) },
});
await app.listen({ host: '127.0.0.1', port: Number(env('BENCH_PORT')) });
process.send?.({ listening: true });
