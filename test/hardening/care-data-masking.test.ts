// With ONS_PROXY_REDACT_FIELDS set, the named values are masked wherever they appear: query
// strings (record url and upstreamUrl, console, HAR, inspector), URLs in headers and JSON
// strings, every form spelling, JSON keys spelled with escapes. A body the proxy cannot
// check is not stored at all, only its size and why; the access token is masked in URLs.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type SpawnedProxy } from '../support/cli.js';
import { recordsOf, startProxyProcess, startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';

const TOKEN = 'tok-Secret/1 x';
const CARE_DATA = ['999999990', '111222333', '444555666', '1990-01-01', '555666777', '777888999', '123123123', '321321321', '654654654', '987987987'];
const XML = '<client id="3"><ons:bsn>654654654</ons:bsn><name>Anne</name><ref bsn="987987987"/></client>';
const MULTIPART = '--b0undary\r\nContent-Disposition: form-data; name="BSN"\r\n\r\n321321321\r\n--b0undary\r\nContent-Disposition: form-data; name="note"\r\n\r\nCalled\r\n--b0undary--\r\n';
const SECRETS = [...CARE_DATA, TOKEN, encodeURIComponent(TOKEN), 'tok-Secret'];

const VENDOR_BODY = JSON.stringify({ bsn: '777888999', filler: 'x'.repeat(4000) });

let upstream: ScriptedUpstream;
let proxy: SpawnedProxy;
const ids: Record<string, string> = {};
const outputs: Record<string, string> = {};

async function send(name: string, pathAndQuery: string, init: RequestInit = {}): Promise<void> {
  const response = await fetch(`${proxy.url}${pathAndQuery}`, { ...init, headers: { 'x-proxy-token': TOKEN, ...(init.headers as Record<string, string>) } });
  ids[name] = response.headers.get('x-request-id') ?? '';
  await response.arrayBuffer();
}

beforeAll(async () => {
  upstream = await startScriptedUpstream((request, _body, response) => {
    const url = request.url ?? '';
    if (url.startsWith('/v0/administration/clients/by_bsn')) {
      response
        .writeHead(200, { 'content-type': 'application/json', 'content-location': url })
        .end(JSON.stringify({ id: 3, bsn: '999999990', next: '/v0/administration/clients/by_bsn?limit=1&bsn=999999990' }));
    } else if (url === '/vendor-json') {
      // Over the body limit: cut, so it cannot be parsed and checked.
      response.writeHead(200, { 'content-type': 'application/vnd.ons.client+json' }).end(VENDOR_BODY);
    } else if (url === '/stacked-encoding') {
      // gzip applied twice: the proxy decodes one layer at most, so the record cannot be checked.
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip, gzip' }).end(gzipSync(gzipSync(JSON.stringify({ bsn: '123123123' }))));
    } else {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }
  });
  proxy = await startProxyProcess(upstream, {
    ONS_PROXY_REDACT_FIELDS: 'bsn,dateOfBirth',
    ONS_PROXY_ACCESS_TOKEN: TOKEN,
    ONS_PROXY_LOG_BODY_LIMIT: '1000',
    ONS_PROXY_LOG_LEVEL: 'debug',
  });
  await send('query', '/v0/administration/clients/by_bsn?bsn=999999990');
  await send('vendor', '/vendor-json');
  await send('stacked', '/stacked-encoding');
  await send('form', '/form', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'B%53N=111222333&client[bsn]=444555666&DateOfBirth=1990-01-01&name=Anne',
  });
  await send('multipart', '/multipart', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b0undary' }, body: MULTIPART });
  await send('xml', '/xml', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: XML });
  await send('escapedKey', '/ndjson', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{"b\\u0073n":"555666777","n":1}\n' });
  await send('tokenInUrl', `/t/clients?token=${encodeURIComponent(TOKEN)}&limit=1`);
  await send('rawTokenInUrl', `/t/clients?access_token=${TOKEN.replace(' ', '+')}`);

  outputs.records = JSON.stringify(await recordsOf(upstream, 9));
  const withToken = { headers: { 'x-proxy-token': TOKEN } };
  outputs.inspectorList = await (await fetch(`${proxy.url}/__proxy/api/exchanges`, withToken)).text();
  outputs.inspectorDetails = (await Promise.all(Object.values(ids).map(async (id) => (await fetch(`${proxy.url}/__proxy/api/exchanges/${id}`, withToken)).text()))).join('\n');
  outputs.har = await (await fetch(`${proxy.url}/__proxy/har`, withToken)).text();
  await proxy.stop();
  outputs.console = proxy.output();
  outputs.harCommand = (await runCli(['har', '--log-dir', `${upstream.dir}/logs`], { cwd: upstream.dir })).stdout;
});
afterAll(async () => {
  await proxy.stop();
  await upstream.close();
});

type Message = { body?: unknown; bodyEncoding: string; bodyNote?: string; bodyBytes: number };
type Recorded = { id: string; url: string; upstreamUrl: string; request: Message; response: Message };

async function record(name: string): Promise<Recorded> {
  const records = (await recordsOf(upstream, 9)) as unknown as Recorded[];
  const found = records.find((r) => r.id === ids[name]);
  if (!found) throw new Error(`no record for ${name}`);
  return found;
}

describe('care data masked wherever it appears', () => {
  it.each(['records', 'console', 'inspectorList', 'inspectorDetails', 'har', 'harCommand'])('leaves no masked value and no token in the %s', (output) => {
    const text = outputs[output] ?? '';
    expect(text.length).toBeGreaterThan(100);
    for (const secret of SECRETS) expect(text, `${secret} in ${output}`).not.toContain(secret);
  });

  it('masks the query parameter in url and upstreamUrl, in URL headers and in URLs inside JSON strings', async () => {
    const query = await record('query');
    expect(query.url).toBe('/v0/administration/clients/by_bsn?bsn=%5Bredacted%5D');
    expect(query.upstreamUrl).toBe(`${upstream.url}/v0/administration/clients/by_bsn?bsn=%5Bredacted%5D`);
    expect((query.response as unknown as { headers: Record<string, string> }).headers['content-location']).toBe('/v0/administration/clients/by_bsn?bsn=%5Bredacted%5D');
    expect(query.response.body).toEqual({ id: 3, bsn: '[redacted]', next: '/v0/administration/clients/by_bsn?limit=1&bsn=%5Bredacted%5D' });
    expect(upstream.seen.find((seen) => seen.url.includes('by_bsn'))?.url).toBe('/v0/administration/clients/by_bsn?bsn=999999990');
  });

  it('stores a body it could not check as omitted, with its size and the reason', async () => {
    const vendor = await record('vendor');
    expect(vendor.response).toMatchObject({ bodyEncoding: 'omitted', bodyBytes: VENDOR_BODY.length });
    expect(vendor.response.body).toBeUndefined();
    expect(vendor.response.bodyNote).toMatch(/cut at ONS_PROXY_LOG_BODY_LIMIT.*ONS_PROXY_REDACT_FIELDS/);
    const stacked = await record('stacked');
    expect(stacked.response).toMatchObject({ bodyEncoding: 'omitted' });
    expect(stacked.response.bodyNote).toMatch(/content encoding the proxy does not decode.*ONS_PROXY_REDACT_FIELDS/);
  });

  it('masks every form spelling of a field, XML elements and attributes, and JSON keys written with escapes', async () => {
    expect((await record('form')).request.body).toBe('B%53N=%5Bredacted%5D&client[bsn]=%5Bredacted%5D&DateOfBirth=%5Bredacted%5D&name=Anne');
    expect((await record('escapedKey')).request.body).toBe('{"b\\u0073n":"[redacted]","n":1}\n');
    expect((await record('xml')).request.body).toBe('<client id="3"><ons:bsn>[redacted]</ons:bsn><name>Anne</name><ref bsn="[redacted]"/></client>');
    expect((await record('multipart')).request.body).toBe(MULTIPART.replace('321321321', '[redacted]'));
  });

  it('masks the access token wherever a client put it in the URL', async () => {
    expect((await record('tokenInUrl')).url).toBe('/t/clients?token=%5Bredacted%5D&limit=1');
    expect((await record('rawTokenInUrl')).url).toBe('/t/clients?access_token=%5Bredacted%5D');
  });
});
