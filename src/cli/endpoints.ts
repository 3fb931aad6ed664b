import { existsSync } from 'node:fs';
import { UserError } from '../config/errors.js';
import { settingByKey } from '../config/settings.js';
import { formatEndpointTable, summarizeEndpoints, type UsedExchange } from '../ons/endpoints.js';
import { readRecords } from '../traffic/reader.js';
import { CONFIG_SOURCE_OPTIONS, configFromCommandLine, stringFlag } from './args.js';
import type { Command } from './command.js';

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30m", "2h", "7d", "1w", "today", "yesterday", "2026-11-01" (local midnight) or an ISO date-time. */
export function parseSince(value: string, now = new Date()): Date {
  const text = value.trim().toLowerCase();
  const relative = /^(\d+)\s*(m|h|d|w)$/.exec(text);
  if (relative?.[1] && relative[2]) return new Date(now.getTime() - Number(relative[1]) * (UNIT_MS[relative[2]] ?? 0));
  if (text === 'today' || text === 'yesterday') {
    return new Date(now.getFullYear(), now.getMonth(), now.getDate() - (text === 'yesterday' ? 1 : 0));
  }
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  const moment = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}t/.test(text) && !Number.isNaN(moment)) return new Date(moment);
  throw new UserError(`--since "${value}" is not a moment: use e.g. 30m, 2h, 7d, today, 2026-11-01 or 2026-11-01T09:00.`);
}

export const endpointsCommand: Command = {
  name: 'endpoints',
  summary: 'List the endpoints your integration used (method, path with {id}, calls, statuses): the list for the Technical Design.',
  usage: 'ons-proxy endpoints [--since 7d] [--profile <name>] [--json]',
  readsSettings: false,
  options: {
    since: { type: 'string' },
    profile: { type: 'string' },
    json: { type: 'boolean' },
    [settingByKey('logDir').flag]: { type: 'string' },
    ...CONFIG_SOURCE_OPTIONS,
  },
  optionHelp: [
    ['--since <when>', 'only exchanges from then on: 30m, 2h, 7d, today, 2026-11-01 or 2026-11-01T09:00 (default: all records)'],
    ['--profile <name>', 'only exchanges of this configuration profile'],
    ['--json', 'print JSON: { since, logDirs, calls, endpoints: [{ method, path, calls, statuses, firstSeen, lastSeen }] }'],
    ['--log-dir <path>', 'folder of the traffic records [ONS_PROXY_LOG_DIR; default: ./logs, or each profile\'s in --config]'],
    ['--config <file>', 'read the log folder(s) from this config file'],
    ['--env-file <file>', 'read this file instead of ./.env'],
  ],
  async run(parsed) {
    const since = stringFlag(parsed, 'since');
    const sinceDate = since === undefined ? undefined : parseSince(since);
    const profile = stringFlag(parsed, 'profile');
    const configs = configFromCommandLine(parsed).filter((config) => profile === undefined || config.name === profile);
    if (configs.length === 0) throw new UserError(`No profile "${profile}" in the configuration: leave out --profile, or use a name from "profiles" in the config file.`);
    const configured = [...new Set(configs.map((config) => config.logDir))];
    // A profile that never ran has no folder yet; only when none has one is that an error (the reader says so).
    const present = configured.filter((dir) => existsSync(dir));
    const logDirs = present.length > 0 ? present : configured.slice(0, 1);

    const exchanges: UsedExchange[] = [];
    for (const logDir of logDirs) {
      for await (const record of readRecords({ logDir, since: sinceDate })) {
        if (profile === undefined || record.profile === profile) exchanges.push(record);
      }
    }
    const endpoints = summarizeEndpoints(exchanges);
    const calls = endpoints.reduce((sum, endpoint) => sum + endpoint.calls, 0);

    if (parsed.values.json) {
      process.stdout.write(`${JSON.stringify({ since: sinceDate?.toISOString() ?? null, logDirs, calls, endpoints }, null, 2)}\n`);
      return 0;
    }
    const scope = `${sinceDate ? ` since ${sinceDate.toLocaleString()}` : ''}${profile ? ` for profile "${profile}"` : ''} in ${logDirs.join(', ')}`;
    if (endpoints.length === 0) {
      process.stdout.write(`No exchanges recorded${scope}.\n`);
      return 0;
    }
    process.stdout.write(`${endpoints.length} endpoints, ${calls} calls${scope}:\n\n${formatEndpointTable(endpoints)}\n`);
    return 0;
  },
};
