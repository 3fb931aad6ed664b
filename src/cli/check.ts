import { request } from 'undici';
import { UserError } from '../config/errors.js';
import type { ProxyConfig } from '../config/load.js';
import { assertStartable } from '../config/validate.js';
import { startInstance } from '../instance/start-instance.js';
import { describeDocumentSetting } from '../openapi/index.js';
import { diagnoseHandshake, diagnoseMaterial, interpretPing, type CheckStep } from '../setup/index.js';
import { createConsoleLogger } from '../log/logger.js';
import { CONFIG_SOURCE_OPTIONS, SETTING_OPTIONS, configFromCommandLine, type ParsedCommandLine } from './args.js';
import type { Command } from './command.js';
import { print } from './output.js';

interface ProfileCheck {
  readonly profile: string;
  readonly environment?: string;
  readonly upstream?: string;
  /** True only when Ons answered GET /ping with 200. */
  readonly ok: boolean;
  readonly steps: CheckStep[];
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'Walk through the setup (configuration, files, certificate, key, TLS handshake, GET /ping) and say what to fix.',
  usage: 'ons-proxy check [--json] [options]',
  readsSettings: true,
  options: { ...SETTING_OPTIONS, ...CONFIG_SOURCE_OPTIONS, json: { type: 'boolean' } },
  optionHelp: [['--json', 'print the steps as JSON (exit status as without it)']],
  async run(parsed) {
    const checks = await checkAll(parsed);
    const ok = checks.every((check) => check.ok);
    print(parsed.values.json ? `${JSON.stringify({ ok, profiles: checks }, null, 2)}\n` : formatChecks(checks));
    if (ok) return 0;
    // A configuration that does not load is a usage error, like for `start`.
    return checks.some((check) => check.steps.some((s) => s.step === 'configuration' && s.status === 'failed')) ? 2 : 1;
  },
};

async function checkAll(parsed: ParsedCommandLine): Promise<ProfileCheck[]> {
  let configs: ProxyConfig[];
  try {
    configs = configFromCommandLine(parsed);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return [{ profile: 'default', ok: false, steps: [{ step: 'configuration', status: 'failed', summary: error.message }] }];
  }
  const checks: ProfileCheck[] = [];
  for (const config of configs) {
    const check = await checkProfile(config);
    // Advice, not a condition: the proxy works without a document.
    checks.push({ ...check, steps: [...check.steps, { step: 'openapi', ...describeDocumentSetting(config.openapi) }] });
  }
  return checks;
}

async function checkProfile(config: ProxyConfig): Promise<ProfileCheck> {
  const identity = { profile: config.name, environment: config.environment, upstream: config.upstream };
  const steps: CheckStep[] = [];
  try {
    assertStartable(config);
    steps.push({ step: 'configuration', status: 'ok', summary: `profile ${config.name}: ${config.environment} at ${config.upstream}` });
  } catch (error) {
    steps.push({ step: 'configuration', status: 'failed', summary: (error as Error).message });
    return { ...identity, ok: false, steps };
  }
  const material = diagnoseMaterial(config);
  steps.push(...material.steps);
  if (!material.certificate) return { ...identity, ok: false, steps: [...steps, skipped('handshake'), skipped('ping')] };

  const handshake = await diagnoseHandshake(config.upstream, material.certificate, config.connectTimeoutMs);
  steps.push(handshake);
  if (handshake.status === 'failed') return { ...identity, ok: false, steps: [...steps, skipped('ping')] };

  const ping = await pingThroughProxy(config);
  steps.push(ping);
  return { ...identity, ok: ping.status === 'ok', steps };
}

function skipped(step: string): CheckStep {
  return { step, status: 'skipped', summary: 'fix the failed step above first' };
}

/** GET /ping through a proxy instance of this very configuration, on a free loopback port. */
async function pingThroughProxy(config: ProxyConfig): Promise<CheckStep> {
  let instance;
  try {
    instance = await startInstance({ ...config, host: '127.0.0.1', port: 0, unsafeListen: false }, { logger: createConsoleLogger('silent') });
  } catch (error) {
    return { step: 'ping', status: 'failed', summary: `Could not start a proxy with this configuration: ${(error as Error).message}` };
  }
  try {
    const headers: Record<string, string> = { accept: 'text/plain, */*' };
    if (config.accessToken !== undefined) headers['x-proxy-token'] = config.accessToken;
    const response = await request(`${instance.url}/ping`, { headers });
    return interpretPing(response.statusCode, await response.body.text(), config.environment);
  } catch (error) {
    return { step: 'ping', status: 'failed', summary: `GET /ping through the proxy failed: ${(error as Error).message}` };
  } finally {
    await instance.close();
  }
}

const STATUS_LABEL: Record<CheckStep['status'], string> = { ok: 'ok', warning: 'warning', failed: 'FAILED', skipped: 'skipped' };

function formatChecks(checks: readonly ProfileCheck[]): string {
  const lines: string[] = [];
  for (const check of checks) {
    if (checks.length > 1) lines.push(`[${check.profile}]`);
    for (const step of check.steps) lines.push(`${STATUS_LABEL[step.status].padEnd(8)} ${step.step.padEnd(14)} ${step.summary}`);
    lines.push(check.ok ? 'Result: the proxy can reach the Ons API with this certificate.' : 'Result: not working yet; fix the first FAILED line and run `ons-proxy check` again.');
  }
  return `${lines.join('\n')}\n`;
}
