import { mkdtemp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { loadEnvironmentPresets } from '../config/presets.js';
import { startMockOnsApi, throwawayClientSettings, writeDemoPki } from '../demo/index.js';
import { startInstance } from '../instance/start-instance.js';
import { documentSource } from '../openapi/index.js';
import { createConsoleLogger } from '../log/logger.js';
import { CONFIG_SOURCE_OPTIONS, SETTING_OPTIONS, configFromCommandLine } from './args.js';
import type { Command } from './command.js';
import { serveUntilSignal } from './serve.js';
import { print } from './output.js';

/** The mock's own operations, in Ons's shape: the demo shows operation names, findings and hints with no download. */
const DEMO_OPENAPI_FILE = fileURLToPath(new URL('../../config/demo-openapi.json', import.meta.url));

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Try the proxy without a certificate: an embedded mock of the Ons development API behind it.',
  usage: 'ons-proxy demo [options]',
  readsSettings: true,
  options: { ...SETTING_OPTIONS, ...CONFIG_SOURCE_OPTIONS },
  optionHelp: [],
  async run(parsed) {
    const pkiDir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-demo-'));
    const pki = await writeDemoPki(pkiDir);
    const mock = await startMockOnsApi({ pki: { serverCertPem: pki.server.certPem, serverKeyPem: pki.server.keyPem, caPem: pki.ca.certPem } });
    // The demo's certificate and upstream replace whatever .env says: it must work with zero configuration.
    const [base] = configFromCommandLine(parsed, { ...process.env, ONS_PROXY_CONFIG: undefined });
    if (!base) return 2;
    const developmentHost = new URL(loadEnvironmentPresets().development.upstream).hostname;
    const config = {
      ...base,
      name: 'demo',
      environment: 'development' as const,
      upstream: mock.url,
      ...throwawayClientSettings(pki),
      openapi: base.openapi ?? DEMO_OPENAPI_FILE,
      // The mock plays the development API, so HTTP_PROXY-style clients may name it as they would for real.
      upstreamStandsFor: [developmentHost],
    };
    const logger = createConsoleLogger(config.logLevel);
    const cleanup = async (): Promise<void> => {
      await mock.close();
      await rm(pkiDir, { recursive: true, force: true });
    };
    let instance;
    try {
      instance = await startInstance(config, { logger });
    } catch (error) {
      await cleanup();
      throw error;
    }
    print(demoBanner({ proxyUrl: instance.url, mockUrl: mock.url, pkiDir, logDir: config.logDir, developmentHost, openapi: config.openapi }));
    const code = await serveUntilSignal([instance], logger, config.shutdownGraceMs);
    await cleanup();
    return code;
  },
};

interface BannerFacts {
  readonly proxyUrl: string;
  readonly mockUrl: string;
  readonly pkiDir: string;
  readonly logDir: string;
  /** The real development API's host name, which the demo answers for with its mock. */
  readonly developmentHost: string;
  /** The API document the demo runs with: its own, or what --openapi (ONS_PROXY_OPENAPI) names, or off. */
  readonly openapi: string;
}

/** How the banner names the document in use, and the --openapi the report commands need for it. */
function documentInUse(openapi: string): { readonly name: string; readonly reportFlag: string } {
  const source = documentSource(openapi);
  if (source.kind === 'off') return { name: 'none here: --openapi off; with one', reportFlag: '' };
  const where = source.kind === 'file' ? source.file : (source.url ?? openapi);
  const name = where === DEMO_OPENAPI_FILE ? "the demo's own, config/demo-openapi.json" : where;
  return { name, reportFlag: ` --openapi ${shellWord(where)}` };
}

function demoBanner({ proxyUrl, mockUrl, pkiDir, logDir, developmentHost, openapi }: BannerFacts): string {
  const logDirArg = shellWord(logDir);
  const document = documentInUse(openapi);
  const harFile = shellWord(path.join(os.tmpdir(), 'ons-proxy-demo.har'));
  return `
ons-proxy demo is running.
  proxy:    ${proxyUrl}  (plain HTTP, for your tools)
  upstream: ${mockUrl}  (embedded mock of the Ons development API, mTLS only; it also answers as ${developmentHost})
  throwaway certificates: ${pkiDir} (deleted on exit)

Try it (the proxy adds the client certificate for you):
  curl -i ${proxyUrl}/ping
  curl '${proxyUrl}/v0/administration/clients?limit=3'
  curl ${proxyUrl}/v0/administration/clients/1
  curl -i ${proxyUrl}/v0/administration/clients/999          # 404 in the Ons problem shape
  curl -i ${proxyUrl}/v0/finance/invoices                    # 403: endpoint not enabled for this connection
  curl -i -X POST -H 'content-type: application/json' -d '{"text":"Called the client"}' ${proxyUrl}/v0/administration/clients/1/notes
  curl -i -x ${proxyUrl} http://${developmentHost}/ping   # as an HTTP_PROXY client; still only the local mock

What the API document (${document.name}) adds, on the console and in the inspector:
  curl -i ${proxyUrl}/t/clients/1                            # removed by Ons on 2026-05-19: the hint names its /v0/ replacement
  curl -i '${proxyUrl}/v0/administration/clients/in_care_in_period?to_date=2026-12-31'   # finding: from_date is missing
  curl -i '${proxyUrl}/v0/administration/clients/find?name=test&valid_form=1'            # deprecated, and an unknown query name
  curl ${proxyUrl}/v0/administration/clients/2 -H 'x-ons-usecase: Dossier lezen'          # a use case label for the Technical Design; never forwarded

Inspector (every exchange, live): ${proxyUrl}/__proxy/
Records: ${logDir}
  ons-proxy logs --log-dir ${logDirArg}
  ons-proxy har --log-dir ${logDirArg} --out ${harFile}
  ons-proxy endpoints --log-dir ${logDirArg}${document.reportFlag} --format markdown   # a Technical Design draft
  ons-proxy migrate --log-dir ${logDirArg}${document.reportFlag}   # what to move off /t/
  (inside a clone of the repository: npx ons-proxy ...)
Health: ${proxyUrl}/__proxy/health
Stop with Ctrl+C.

`;
}

/** A value as one shell word: quoted when it holds anything a shell would split or expand. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
