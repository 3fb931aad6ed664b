import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { assertStartable } from '../../src/config/validate.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-config-'));
});

function load(options: { flags?: Record<string, string | boolean>; env?: Record<string, string>; configFile?: string } = {}) {
  return loadConfig({ flags: options.flags ?? {}, env: options.env ?? {}, cwd: dir, configFile: options.configFile });
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration sources', () => {
  it('uses the development preset when nothing is configured', () => {
    const [config] = load();
    expect(config).toMatchObject({ environment: 'development', upstream: 'https://api-development.ons.io', host: '127.0.0.1', port: 8080, logDir: './logs' });
  });

  it('takes each environment base URL from config/environments.json', () => {
    expect(load({ env: { ONS_PROXY_ENVIRONMENT: 'staging' } })[0]?.upstream).toBe('https://api-staging.ons.io');
    expect(load({ env: { ONS_PROXY_ENVIRONMENT: 'production' } })[0]?.upstream).toBe('https://api.ons.io');
  });

  it('ranks flags over environment over .env over config file over preset', async () => {
    const configFile = path.join(dir, 'proxy.json');
    await writeFile(configFile, JSON.stringify({ port: 1001, timeoutMs: 1, logTag: 'file', environment: 'staging', connectTimeoutMs: 7 }));
    await writeFile(path.join(dir, '.env'), 'ONS_PROXY_PORT=1002\nONS_PROXY_TIMEOUT_MS=2\nONS_PROXY_LOG_TAG=dotenv\n');
    const [config] = load({ flags: { port: '1004' }, env: { ONS_PROXY_PORT: '1003', ONS_PROXY_TIMEOUT_MS: '3' }, configFile });
    expect(config?.port).toBe(1004); // flag
    expect(config?.timeoutMs).toBe(3); // environment
    expect(config?.logTag).toBe('dotenv'); // .env
    expect(config?.connectTimeoutMs).toBe(7); // config file
    expect(config?.upstream).toBe('https://api-staging.ons.io'); // preset of the file's environment
  });

  it('lets ONS_PROXY_UPSTREAM override the preset, without a trailing slash', () => {
    expect(load({ env: { ONS_PROXY_UPSTREAM: 'https://mtls.example.test:8443/' } })[0]?.upstream).toBe('https://mtls.example.test:8443');
  });

  it('resolves paths from the environment against the working folder and from a config file against its folder', async () => {
    const sub = path.join(dir, 'conf');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    const configFile = path.join(sub, 'proxy.json');
    await writeFile(configFile, JSON.stringify({ key: 'certs/key.pem' }));
    const [config] = load({ env: { ONS_PROXY_CERT: 'certs/cert.pem' }, configFile });
    expect(config?.cert).toBe(path.join(dir, 'certs/cert.pem'));
    expect(config?.key).toBe(path.join(sub, 'certs/key.pem'));
  });

  it('treats an empty value, as left by copying .env.example, as unset', async () => {
    await writeFile(path.join(dir, '.env'), 'ONS_PROXY_CERT=\nONS_PROXY_PORT=\n');
    const [config] = load();
    expect(config?.cert).toBeUndefined();
    expect(config?.port).toBe(8080);
  });

  it('parses booleans and lists', () => {
    const [config] = load({ env: { ONS_PROXY_LOG_BODIES: 'false', ONS_PROXY_REDACT_FIELDS: ' bsn, dateOfBirth ,,' }, flags: { 'unsafe-listen': true } });
    expect(config?.logBodies).toBe(false);
    expect(config?.unsafeListen).toBe(true);
    expect(config?.redactFields).toEqual(['bsn', 'dateOfBirth']);
  });

  it('resolves one configuration per profile, environment and flags applying to each', async () => {
    const configFile = path.join(dir, 'profiles.json');
    await writeFile(configFile, JSON.stringify({ timeoutMs: 5000, profiles: { dev: { port: 8080 }, test: { port: 8081, environment: 'staging', logTag: 'staging' } } }));
    const configs = load({ configFile, env: { ONS_PROXY_CONNECT_TIMEOUT_MS: '900' } });
    expect(configs.map((c) => [c.name, c.port, c.environment, c.timeoutMs, c.connectTimeoutMs, c.logTag])).toEqual([
      ['dev', 8080, 'development', 5000, 900, undefined],
      ['test', 8081, 'staging', 5000, 900, 'staging'],
    ]);
  });
});

describe('configuration errors name the setting and the fix', () => {
  it.each([
    [{ ONS_PROXY_PORT: 'eighty' }, 'ONS_PROXY_PORT (--port) from the environment is "eighty": it must be a whole number from 0 to 65535.'],
    [{ ONS_PROXY_PORT: '70000' }, 'ONS_PROXY_PORT (--port) from the environment is "70000": it is out of range from 0 to 65535.'],
    [{ ONS_PROXY_ENVIRONMENT: 'acceptance' }, 'ONS_PROXY_ENVIRONMENT (--environment) from the environment is "acceptance": it must be one of development, staging, production.'],
    [{ ONS_PROXY_UPSTREAM: 'http://api.ons.io' }, 'ONS_PROXY_UPSTREAM (--upstream) from the environment is "http://api.ons.io": the upstream must be https:// (the client certificate only travels over TLS).'],
    [{ ONS_PROXY_UPSTREAM: 'api.ons.io' }, 'ONS_PROXY_UPSTREAM (--upstream) from the environment is "api.ons.io": it must be a full URL such as https://api-development.ons.io.'],
    [{ ONS_PROXY_LOG_BODIES: 'maybe' }, 'ONS_PROXY_LOG_BODIES (--log-bodies) from the environment is "maybe": it must be true or false.'],
    [{ ONS_PROXY_TIMEOUT_MS: '0' }, 'ONS_PROXY_TIMEOUT_MS (--timeout-ms) from the environment is "0": it is out of range of at least 1.'],
  ])('%o', (env, message) => {
    expect(errorOf(() => load({ env }))).toBe(message);
  });

  it('never echoes a secret value', () => {
    const message = errorOf(() => load({ flags: { port: 'x' }, env: { ONS_PROXY_PASSPHRASE: 'hunter2' } }));
    expect(message).not.toContain('hunter2');
  });

  it('names the source file of a bad value', async () => {
    await writeFile(path.join(dir, '.env'), 'ONS_PROXY_PORT=abc\n');
    expect(errorOf(() => load())).toContain(`from .env file ${path.join(dir, '.env')}`);
  });

  it('reports a missing, unparsable or unknown config file entry', async () => {
    expect(errorOf(() => load({ configFile: path.join(dir, 'nope.json') }))).toBe(`Cannot use the config file ${path.join(dir, 'nope.json')} (--config): the file does not exist.`);
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{ "port": 80, }');
    expect(errorOf(() => load({ configFile: broken }))).toMatch(/^Cannot use the config file .*broken\.json \(--config\): it is not valid JSON/);
    const unknown = path.join(dir, 'unknown.json');
    await writeFile(unknown, JSON.stringify({ prot: 80 }));
    expect(errorOf(() => load({ configFile: unknown }))).toMatch(/^Unknown setting "prot" in config file .*unknown\.json\. Known settings: environment, upstream/);
  });

  it('refuses two profiles on one port', async () => {
    const configFile = path.join(dir, 'clash.json');
    await writeFile(configFile, JSON.stringify({ profiles: { a: {}, b: {} } }));
    expect(errorOf(() => load({ configFile }))).toBe('Profiles "a" and "b" both listen on 127.0.0.1:8080: give each profile its own "port" in the config file (a port from the environment or flags applies to every profile).');
  });

  it('refuses a non-loopback listen address unless told it is meant', () => {
    const [config] = load({ env: { ONS_PROXY_HOST: '0.0.0.0' } });
    expect(errorOf(() => assertStartable(config!))).toMatch(/^ONS_PROXY_HOST is 0\.0\.0\.0, which is not a loopback address: .*ONS_PROXY_UNSAFE_LISTEN=true \(--unsafe-listen\)/);
    const [unsafe] = load({ env: { ONS_PROXY_HOST: '0.0.0.0', ONS_PROXY_UNSAFE_LISTEN: 'true' } });
    expect(() => assertStartable(unsafe!)).not.toThrow();
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) {
      const [loopback] = load({ env: { ONS_PROXY_HOST: host } });
      expect(() => assertStartable(loopback!)).not.toThrow();
    }
  });
});
