import { SETTINGS, describeDefault, type SettingSpec } from '../config/settings.js';
import type { Command } from './command.js';

const GROUP_TITLES: Record<SettingSpec['group'], string> = {
  upstream: 'Upstream',
  certificate: 'Client certificate',
  listener: 'Listener',
  traffic: 'Traffic records and console',
  ons: 'Ons API rules',
  access: 'Access control',
};

function column(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.min(34, Math.max(...rows.map(([left]) => left.length)) + 2);
  // A flag wider than the column gets its description on the next line.
  return rows.map(([left, right]) => (left.length + 2 > width ? `  ${left}\n  ${''.padEnd(width)}${right}` : `  ${left.padEnd(width)}${right}`)).join('\n');
}

export function settingsHelp(): string {
  const sections: string[] = [];
  for (const [group, title] of Object.entries(GROUP_TITLES)) {
    const rows = SETTINGS.filter((s) => s.group === group).map((spec) => {
      const argument = spec.kind === 'boolean' ? '' : spec.kind === 'enum' ? ` <${spec.choices?.join('|')}>` : ` <${spec.kind === 'integer' ? 'n' : spec.kind === 'list' ? 'a,b' : spec.kind}>`;
      return [`--${spec.flag}${argument}`, `${spec.description} [${spec.env}; default: ${describeDefault(spec)}]`] as const;
    });
    sections.push(`${title}:\n${column(rows)}`);
  }
  sections.push(
    `Configuration sources, strongest first: flags, environment variables, a .env file in the current folder\n(or --env-file <file>), a JSON config file (--config <file>, or ONS_PROXY_CONFIG), then the presets in config/.\n${column([
      ['--config <file>', 'JSON file of settings (keys as in the README), optionally with "profiles"'],
      ['--env-file <file>', 'read this file instead of ./.env'],
    ])}`,
  );
  return sections.join('\n\n');
}

export function commandHelp(command: Command): string {
  const parts = [`${command.summary}\n\nUsage: ${command.usage}`];
  if (command.optionHelp.length) parts.push(`Options:\n${column(command.optionHelp)}`);
  if (command.readsSettings) parts.push(settingsHelp());
  parts.push('  -h, --help                        show this help');
  return parts.join('\n\n') + '\n';
}

export function mainHelp(commands: readonly Command[]): string {
  return `ons-proxy: a local HTTP proxy that presents your Nedap Ons API client certificate (mTLS)
and records every request and response.

Usage: ons-proxy [command] [options]      (no command means "start")

Commands:
${column(commands.map((c) => [c.name, c.summary] as const))}

Run "ons-proxy <command> --help" for a command's options.
Quick start without a certificate: ons-proxy demo
`;
}
