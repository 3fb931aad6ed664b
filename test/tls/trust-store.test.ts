// Which CAs `ons-proxy start` trusts for the upstream. Its context is made without Node's default
// store, which is added before the first connection (the start does not wait for OpenSSL to
// parse the bundled roots): these calls go through that first connection. The default store is
// the process's, so NODE_EXTRA_CA_CERTS stands in for a system CA here.
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProxy } from '../support/cli.js';
import { startUpstream, type Upstream } from '../support/harness.js';

let upstream: Upstream;
let env: Record<string, string>;

beforeAll(async () => {
  upstream = await startUpstream();
  env = {
    ONS_PROXY_UPSTREAM: upstream.mock.url,
    ONS_PROXY_CERT: upstream.pki.client.certPath,
    ONS_PROXY_KEY: upstream.pki.client.keyPath,
    ONS_PROXY_LOG_DIR: path.join(upstream.dir, 'logs'),
  };
});
afterAll(async () => upstream.close());

async function firstCallStatus(extra: Record<string, string>): Promise<{ status: number; body: string }> {
  const proxy = await spawnProxy(['start'], { cwd: upstream.dir, env: { ...env, ...extra } });
  try {
    const answer = await request(`${proxy.url}/ping`);
    return { status: answer.statusCode, body: await answer.body.text() };
  } finally {
    await proxy.stop();
  }
}

describe('the upstream CAs of a started proxy', () => {
  it('trusts a CA of the default store on the first call, without ONS_PROXY_CA', async () => {
    expect(await firstCallStatus({ NODE_EXTRA_CA_CERTS: upstream.pki.ca.certPath })).toMatchObject({ status: 200 });
  });

  it('trusts the CA of ONS_PROXY_CA on the first call and on the next', async () => {
    const proxy = await spawnProxy(['start'], { cwd: upstream.dir, env: { ...env, ONS_PROXY_CA: upstream.pki.ca.certPath } });
    try {
      for (let call = 0; call < 2; call++) expect((await request(`${proxy.url}/ping`)).statusCode).toBe(200);
    } finally {
      await proxy.stop();
    }
  });

  it('refuses an upstream whose CA is in neither', async () => {
    const answer = await firstCallStatus({});
    expect(answer.status).toBe(502);
    expect(answer.body).toContain('upstream_certificate_untrusted');
  });
});
