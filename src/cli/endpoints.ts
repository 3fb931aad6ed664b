import { settingByKey } from '../config/settings.js';
import { formatEndpointTable, summarizeEndpoints, type UsedExchange } from '../reports/endpoints.js';
import { CONFIG_SOURCE_OPTIONS } from './args.js';
import type { Command } from './command.js';
import { recordSelection, selectedRecords } from './record-selection.js';

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
    ['--since <when>', 'only exchanges from then on: 90s, 30m, 2h, 7d, today, yesterday, 2026-11-01 or 2026-11-01T09:00 (default: all records)'],
    ['--profile <name>', 'only exchanges of this configuration profile'],
    ['--json', 'print JSON: { since, logDirs, calls, endpoints: [{ method, path, calls, statuses, firstSeen, lastSeen }] }'],
    ['--log-dir <path>', 'folder of the traffic records [ONS_PROXY_LOG_DIR; default: ./logs, or each profile\'s in --config]'],
    ['--config <file>', 'read the log folder(s) from this config file'],
    ['--env-file <file>', 'read this file instead of ./.env'],
  ],
  async run(parsed) {
    const selection = recordSelection(parsed);
    const { logDirs, profile, query: { since: sinceDate } } = selection;
    const exchanges: UsedExchange[] = [];
    for await (const record of selectedRecords(selection)) exchanges.push(record);
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
