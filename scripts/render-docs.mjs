// Regenerates the settings table in README.md and the whole .env.example from
// src/config/settings.ts (via the build), so the documentation cannot drift from the code.
// Usage: npm run build && node scripts/render-docs.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { SETTINGS, describeDefault } from '../dist/config/settings.js';
import { WEBHOOK_SETTINGS } from '../dist/webhooks/secret.js';

const GROUPS = {
  upstream: 'Upstream',
  certificate: 'Client certificate (from the Ons API Dashboard)',
  listener: 'Listener',
  traffic: 'Traffic records and console',
  ons: 'Ons API rules',
  access: 'Access control',
};
const EXAMPLES = { ONS_PROXY_CERT: './certs/client.pem', ONS_PROXY_KEY: './certs/client-key.pem' };

function envExample() {
  let out = '# ons-mtls-proxy settings. Copy to .env and fill in what you need; empty means the default.\n';
  out += '# Every setting also has a command-line flag (ons-proxy start --help). Flags beat the environment, which beats this file.\n';
  for (const [group, title] of Object.entries(GROUPS)) {
    out += `\n# --- ${title} ---\n`;
    for (const spec of SETTINGS.filter((s) => s.group === group)) {
      out += `# ${spec.description} Default: ${describeDefault(spec)}.\n${spec.env}=${EXAMPLES[spec.env] ?? ''}\n`;
    }
  }
  out += '\n# --- Webhooks (ons-proxy webhooks only; the proxy never reads these) ---\n';
  for (const spec of WEBHOOK_SETTINGS) out += `# ${spec.description} Default: ${spec.defaultText}.\n${spec.env}=\n`;
  return out;
}

function settingsTable() {
  const rows = ['| Environment variable | Flag | Default | What it does |', '|---|---|---|---|'];
  for (const [group, title] of Object.entries(GROUPS)) {
    rows.push(`| **${title}** | | | |`);
    for (const spec of SETTINGS.filter((s) => s.group === group)) {
      const flag = spec.kind === 'boolean' ? `--${spec.flag}` : `--${spec.flag} <${spec.kind === 'enum' ? spec.choices.join('\\|') : spec.kind}>`;
      rows.push(`| \`${spec.env}\` | \`--${spec.flag}\`${flag === `--${spec.flag}` ? '' : ` ${flag.slice(spec.flag.length + 3)}`} | ${describeDefault(spec).replace(/\|/g, '\\|')} | ${spec.description.replace(/\|/g, '\\|')} |`);
    }
  }
  rows.push('| **Webhooks (`ons-proxy webhooks` only)** | | | |');
  for (const spec of WEBHOOK_SETTINGS) rows.push(`| \`${spec.env}\` | \`--${spec.flag}\` <${spec.kind}> | ${spec.defaultText} | ${spec.description} |`);
  return rows.join('\n');
}

writeFileSync(new URL('../.env.example', import.meta.url), envExample());
const readmeUrl = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
const start = '<!-- settings:start -->';
const end = '<!-- settings:end -->';
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from === -1 || to === -1) throw new Error(`README.md needs ${start} and ${end} markers`);
writeFileSync(readmeUrl, `${readme.slice(0, from + start.length)}\n${settingsTable()}\n${readme.slice(to)}`);
console.log('rendered .env.example and the README settings table');
