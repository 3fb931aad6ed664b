import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import type { MockEchoResponse } from '../support/mock-test-routes.js';
import { startProxy } from '../support/harness.js';
import { useCapturedProxy } from '../support/captured-proxy.js';
import { problemOf, rawRequest } from '../support/raw-http.js';

const TOKEN = 's3cret-Token_value';

const suite = useCapturedProxy({ accessToken: TOKEN });

async function call(path: string, headers: Record<string, string> = {}) {
  const response = await request(`${suite.proxy.url}${path}`, { headers });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

describe('access token (ONS_PROXY_ACCESS_TOKEN)', () => {
  it('refuses a request without the token with 401, a WWW-Authenticate challenge and a problem', async () => {
    const before = suite.upstream.mock.stats.requests;
    const response = await call('/__mock/echo');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="ons-proxy"');
    const problem = problemOf(response);
    expect(problem.code).toBe('access_token_required');
    expect(problem.detail).toMatch(/Proxy-Authorization: Bearer <token>/);
    expect(suite.upstream.mock.stats.requests).toBe(before);
  });

  it.each([
    ['x-proxy-token', { 'x-proxy-token': 'wrong' }],
    ['Proxy-Authorization', { 'proxy-authorization': 'Bearer wrong' }],
    ['a token that only starts right', { 'x-proxy-token': `${TOKEN}x` }],
    ['a Basic credential', { 'proxy-authorization': `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }],
  ])('refuses a wrong token sent as %s', async (_how, headers) => {
    const response = await call('/__mock/echo', headers);
    expect(response.status).toBe(401);
    expect(problemOf(response).code).toBe(_how === 'a Basic credential' ? 'access_token_required' : 'access_token_invalid');
    expect(response.body).not.toContain(TOKEN);
  });

  it.each([
    ['Proxy-Authorization: Bearer', { 'proxy-authorization': `Bearer ${TOKEN}` }],
    ['x-proxy-token', { 'x-proxy-token': TOKEN }],
  ])('forwards a request with the token as %s, and strips the token before forwarding', async (_how, headers) => {
    const response = await call('/__mock/echo', headers);
    expect(response.status).toBe(200);
    const seen = JSON.parse(response.body) as MockEchoResponse;
    expect(seen.headers['x-proxy-token']).toBeUndefined();
    expect(seen.headers['proxy-authorization']).toBeUndefined();
    expect(JSON.stringify(seen.rawHeaders)).not.toContain(TOKEN);
  });

  it('guards the admin routes too', async () => {
    expect((await call('/__proxy/health')).status).toBe(401);
    expect((await call('/__proxy/status')).status).toBe(401);
    expect((await call('/__proxy/health', { 'x-proxy-token': TOKEN })).status).toBe(200);
  });

  it('answers an HTTP_PROXY-style (absolute-form) request without the token with 407 and Proxy-Authenticate', async () => {
    const port = new URL(suite.proxy.url).port;
    const response = await rawRequest(suite.proxy.url, `GET http://localhost:${port}/__mock/echo HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
    expect(response.status).toBe(407);
    expect(response.headers['proxy-authenticate']).toBe('Bearer realm="ons-proxy"');
    expect(problemOf(response).code).toBe('access_token_required');
    const authorised = await rawRequest(
      suite.proxy.url,
      `GET http://localhost:${port}/__mock/echo HTTP/1.1\r\nHost: localhost:${port}\r\nProxy-Authorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`,
    );
    expect(authorised.status).toBe(200);
  });

  it('leaves no trace of the token in what the exchange observers see', async () => {
    const response = await call('/__mock/echo', { 'x-proxy-token': TOKEN, 'proxy-authorization': `Bearer ${TOKEN}` });
    const completed = await suite.capture.exchange(String(response.headers['x-request-id']));
    expect(completed?.request.headers['x-proxy-token']).toBe('[redacted]');
    expect(JSON.stringify(completed?.request.headers)).not.toContain(TOKEN);
    expect(JSON.stringify(completed?.request.raw.rawHeaders)).not.toContain(TOKEN);
  });
});

describe('the token in the traffic file', () => {
  it('is never written, whether it was right or wrong', async () => {
    const logDir = path.join(suite.upstream.dir, 'logs-token');
    const recorded = await startProxy(suite.upstream, { accessToken: TOKEN, logDir });
    for (const headers of [{ 'x-proxy-token': TOKEN }, { 'proxy-authorization': `Bearer ${TOKEN}` }, { 'x-proxy-token': `${TOKEN}-wrong` }]) {
      const response = await request(`${recorded.url}/__mock/echo`, { headers });
      await response.body.dump();
    }
    await recorded.close();
    const files = (await readdir(logDir)).filter((name) => name.endsWith('.ndjson'));
    const text = (await Promise.all(files.map((name) => readFile(path.join(logDir, name), 'utf8')))).join('');
    expect(text.split('\n').filter(Boolean)).toHaveLength(3);
    expect(text).not.toContain(TOKEN);
  });

  it('lets a browser into the inspector with ?token= once, then by a cookie that opens nothing else', async () => {
    const signIn = await call(`/__proxy/?token=${encodeURIComponent(TOKEN)}`);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.location).toBe('/__proxy/');
    const setCookie = String(signIn.headers['set-cookie']);
    expect(setCookie).toMatch(/^ons_proxy_inspector=\d+\.[\w-]+; Path=\/__proxy\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0] ?? '';

    expect((await call('/__proxy/api/exchanges', { cookie })).status).toBe(200);
    expect((await call('/__proxy/', { cookie: `theme=dark; ${cookie}` })).status).toBe(200);
    const before = suite.upstream.mock.stats.requests;
    expect((await call('/__mock/echo', { cookie })).status).toBe(401);
    expect(suite.upstream.mock.stats.requests).toBe(before);
  });

  it('refuses the inspector a wrong ?token= or a forged cookie', async () => {
    expect((await call('/__proxy/?token=wrong')).status).toBe(401);
    expect((await call('/__proxy/api/exchanges', { cookie: 'ons_proxy_inspector=forged' })).status).toBe(401);
    expect((await call(`/__mock/echo?token=${encodeURIComponent(TOKEN)}`)).status).toBe(401);
  });

  it('hands out a session cookie that is not derived from the token and cannot be extended', async () => {
    const signIn = await call(`/__proxy/?token=${encodeURIComponent(TOKEN)}`);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
    const [expiresAt = '', signature = ''] = cookie.slice(cookie.indexOf('=') + 1).split('.');
    const extended = `ons_proxy_inspector=${Number(expiresAt) + 86_400}.${signature}`;
    expect((await call('/__proxy/api/exchanges', { cookie: extended })).status).toBe(401);
    // Another proxy with the same token draws its own key: the cookie says nothing about the token.
    const other = await startProxy(suite.upstream, { accessToken: TOKEN });
    try {
      const response = await request(`${other.url}/__proxy/api/exchanges`, { headers: { cookie } });
      await response.body.dump();
      expect(response.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('without ONS_PROXY_ACCESS_TOKEN', () => {
  it('needs no token, and still never forwards an x-proxy-token a client sends', async () => {
    const open = await startProxy(suite.upstream);
    try {
      const response = await request(`${open.url}/__mock/echo`, { headers: { 'x-proxy-token': 'meant-for-the-proxy' } });
      expect(response.statusCode).toBe(200);
      const seen = (await response.body.json()) as MockEchoResponse;
      expect(seen.headers['x-proxy-token']).toBeUndefined();
    } finally {
      await open.close();
    }
  });
});
