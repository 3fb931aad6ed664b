// Several environments at once: `ons-proxy start --config profiles.json` serving development
// and staging from one process, each with its own port, upstream, certificate and log tag.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_CLIENT_SUBJECT, issueCertificate } from '../../src/demo/index.js';
import type { MockEchoResponse } from '../support/mock-test-routes.js';
import { readRecords } from '../../src/traffic/reader.js';
import { spawnProxy, type SpawnedProxy } from '../support/cli.js';
import { startUpstream, type Upstream } from '../support/harness.js';

const STAGING_CN = 'staging_integration-TE2001-demo';

let development: Upstream;
let staging: Upstream;
let dir: string;
let proxy: SpawnedProxy;
const urls = new Map<string, string>();

beforeAll(async () => {
  [development, staging] = await Promise.all([startUpstream(), startUpstream()]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-profiles-'));
  // A staging certificate (customer code TE + 4 digits) from the staging mock's own CA.
  const stagingClient = issueCertificate({ issuer: staging.pki.ca, commonName: STAGING_CN, subject: DEMO_CLIENT_SUBJECT, usage: 'client' });
  await writeFile(path.join(dir, 'staging.pem'), stagingClient.certPem);
  await writeFile(path.join(dir, 'staging-key.pem'), stagingClient.keyPem, { mode: 0o600 });
  await chmod(path.join(dir, 'staging-key.pem'), 0o600);

  const profiles = {
    logLevel: 'info',
    profiles: {
      development: {
        environment: 'development',
        upstream: development.mock.url,
        cert: development.pki.client.certPath,
        key: development.pki.client.keyPath,
        ca: development.pki.ca.certPath,
        logTag: 'dev',
        logDir: 'logs-development',
      },
      staging: {
        environment: 'staging',
        upstream: staging.mock.url,
        cert: 'staging.pem',
        key: 'staging-key.pem',
        ca: staging.pki.ca.certPath,
        logTag: 'stg',
        logDir: 'logs-staging',
      },
    },
  };
  await writeFile(path.join(dir, 'profiles.json'), JSON.stringify(profiles, null, 2));
  // ONS_PROXY_PORT=0 (set by spawnProxy) gives each profile a free port of its own.
  proxy = await spawnProxy(['start', '--config', 'profiles.json'], { cwd: dir, env: {} });
  for (let attempt = 0; attempt < 200 && urls.size < 2; attempt++) {
    for (const match of proxy.output().matchAll(/ons-proxy \[(\w+)\] listening on (http:\/\/[^\s"]+)/g)) {
      if (match[1] && match[2]) urls.set(match[1], match[2]);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
});
afterAll(async () => {
  await proxy?.stop();
  await Promise.all([development?.close(), staging?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function get(profile: string, pathAndQuery: string): Promise<{ status: number; body: string }> {
  const base = urls.get(profile);
  if (!base) throw new Error(`no URL for profile ${profile}:\n${proxy.output()}`);
  const response = await request(`${base}${pathAndQuery}`);
  return { status: response.statusCode, body: await response.body.text() };
}

interface ConsoleLine {
  msg?: string;
  url?: string;
  tag?: string;
  hint?: string;
  status?: number;
}

function consoleLines(): ConsoleLine[] {
  return proxy
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as ConsoleLine);
}

it('serves each profile on its own port, with its own upstream and certificate', async () => {
  expect([...urls.keys()].sort()).toEqual(['development', 'staging']);
  expect(urls.get('development')).not.toBe(urls.get('staging'));

  const viaDevelopment = JSON.parse((await get('development', '/__mock/echo')).body) as MockEchoResponse;
  const viaStaging = JSON.parse((await get('staging', '/__mock/echo')).body) as MockEchoResponse;
  expect(viaDevelopment.clientCertificate?.subjectCN).toBe('demo_integration-TE1002-demo');
  expect(viaStaging.clientCertificate?.subjectCN).toBe(STAGING_CN);
  expect(development.mock.stats.requests).toBe(1);
  expect(staging.mock.stats.requests).toBe(1);

  const status = JSON.parse((await get('staging', '/__proxy/status')).body) as { profile: string; environment: string; limiter: { maxConcurrency: number } };
  expect(status).toMatchObject({ profile: 'staging', environment: 'staging', limiter: { maxConcurrency: 4 } });
});

it('tags console lines and records per profile, and words hints for each environment', async () => {
  expect((await get('development', '/t/finance/invoices')).status).toBe(403);
  expect((await get('staging', '/t/finance/invoices')).status).toBe(403);
  let lines: ConsoleLine[] = [];
  for (let attempt = 0; attempt < 200; attempt++) {
    lines = consoleLines().filter((line) => line.url === '/t/finance/invoices');
    if (lines.length === 2) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const byTag = new Map(lines.map((line) => [line.tag, line]));
  expect(byTag.get('dev')?.hint).toMatch(/^403 on development: .*Allow all endpoints on development/);
  expect(byTag.get('stg')?.hint).toMatch(/^403 on staging: .*Technical Design/);

  await proxy.stop();
  const tagsIn = async (logDir: string): Promise<string[]> => {
    const tags: string[] = [];
    for await (const record of readRecords({ logDir: path.join(dir, logDir) })) tags.push(`${record.profile}/${record.tag}`);
    return [...new Set(tags)];
  };
  expect(await tagsIn('logs-development')).toEqual(['development/dev']);
  expect(await tagsIn('logs-staging')).toEqual(['staging/stg']);
});
