// Row "logs": the reading commands over a day of batch syncs. Makes a log of Ons-shaped
// records (1 GiB by default: one client answer of 4 KB per record, 2 % of them 5xx), then
// times `logs --status 5xx`, `logs --id`, `endpoints`, `migrate` and `har` (to /dev/null),
// each with its peak RSS (GNU time's maximum resident set size), against `grep -c` on the
// same file. In `npm run bench -- --only logs` (BENCH_LOG_MB=256 for a shorter log), or alone
// after npm run bench's build: node bench/dist/bench/log-reading-row.js [MiB].
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { onsObjectAnswer } from '../test/support/ons-payloads.js';
import { REPO_ROOT } from './paths.js';
import type { Table } from './report.js';

const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface LogReadingRowOptions {
  readonly dir: string;
  readonly bytes: number;
  readonly log: (line: string) => void;
}

export interface LogReadingRowResult {
  readonly table: Table;
  readonly goals: string[];
}

interface Measured {
  readonly seconds: number;
  readonly peakMb: number;
}

export async function runLogReadingRow(options: LogReadingRowOptions): Promise<LogReadingRowResult> {
  const logDir = path.join(options.dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const { file, records, middleId } = await writeLog(logDir, options.bytes);
  const mb = options.bytes / 1024 ** 2;
  options.log(`logs: wrote ${records.toLocaleString('en')} records (${mb.toFixed(0)} MiB) to ${file}`);
  const rows: Array<{ name: string; measured: Measured; grep?: Measured }> = [];
  const grepStatus = await timed('grep', ['-c', '"status":5', file]);
  const grepId = await timed('grep', ['-c', middleId, file]);
  for (const [name, args, grep] of [
    ['logs --status 5xx', ['logs', '--status', '5xx'], grepStatus],
    ['logs --id', ['logs', '--id', middleId], grepId],
    ['endpoints', ['endpoints'], undefined],
    ['migrate', ['migrate'], undefined],
    ['har (to /dev/null)', ['har'], undefined],
  ] as const) {
    const measured = await timed(process.execPath, [CLI, ...args, '--log-dir', logDir]);
    options.log(`logs: ${name}: ${measured.seconds.toFixed(2)} s, ${measured.peakMb.toFixed(0)} MB peak RSS${grep ? ` (grep -c: ${grep.seconds.toFixed(2)} s)` : ''}`);
    rows.push({ name, measured, ...(grep ? { grep } : {}) });
  }
  await rm(logDir, { recursive: true, force: true });
  const table: Table = {
    title: `Reading a ${mb.toFixed(0)} MiB traffic log (${records.toLocaleString('en')} Ons-shaped records)`,
    head: ['command', 'seconds', 'MiB/s', 'peak RSS MB', 'grep -c seconds', 'x grep'],
    rows: rows.map(({ name, measured, grep }) => [
      name,
      measured.seconds.toFixed(2),
      (mb / measured.seconds).toFixed(0),
      measured.peakMb.toFixed(0),
      grep ? grep.seconds.toFixed(2) : '',
      grep ? (measured.seconds / grep.seconds).toFixed(1) : '',
    ]),
  };
  const goals = rows.map(({ name, measured, grep }) => {
    const memory = `${measured.peakMb.toFixed(0)} MB peak RSS (goal < 250 MB)`;
    return `- ${name}: ${memory}${grep ? `, ${(measured.seconds / grep.seconds).toFixed(1)}x grep -c (goal within 5x)` : ''}`;
  });
  return { table, goals };
}

/** Wall time and peak RSS of one command, its output discarded. */
async function timed(command: string, args: readonly string[]): Promise<Measured> {
  const report = path.join(REPO_ROOT, 'bench-results', `time-${process.pid}.txt`);
  await mkdir(path.dirname(report), { recursive: true });
  const child = spawn('/usr/bin/time', ['-o', report, '-f', '%e %M', command, ...args], { stdio: ['ignore', 'ignore', 'ignore'] });
  await once(child, 'close');
  const [seconds, kilobytes] = (await readFile(report, 'utf8')).trim().split(/\s+/).slice(-2).map(Number);
  await rm(report, { force: true });
  return { seconds: seconds ?? Number.NaN, peakMb: (kilobytes ?? 0) / 1024 };
}

/** One day file of records shaped like a batch sync's: GETs of clients, a few 404s and 5xx. */
export async function writeLog(logDir: string, bytes: number): Promise<{ file: string; records: number; middleId: string }> {
  const now = new Date();
  const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  const file = path.join(logDir, `traffic-${day}.ndjson`);
  const out = createWriteStream(file, { mode: 0o600 });
  const answer = onsObjectAnswer(4 * 1024).toString('utf8');
  const start = now.getTime() - 3_600_000;
  let written = 0;
  let records = 0;
  let middleId = '';
  while (written < bytes) {
    const index = records++;
    const status = index % 50 === 7 ? 503 : index % 33 === 3 ? 404 : 200;
    const id = `${index.toString(16).padStart(8, '0')}-4b1f-4c2a-9d3e-${(index * 7919).toString(16).padStart(12, '0').slice(-12)}`;
    const url = index % 10 === 0 ? `/t/clients/${index}` : `/v0/administration/clients/${index}`;
    const operation = url.startsWith('/v0/') ? ',"operation":{"id":"ClientAPI.byId","summary":"One client","tag":"ClientAPI","path":"/v0/administration/clients/{id}"}' : '';
    const body = status === 200 ? answer : '{"status":' + String(status) + ',"message":"upstream trouble"}';
    const line =
      `{"id":"${id}","time":"${new Date(start + index * 10).toISOString()}","durationMs":41.2,"method":"GET","url":"${url}","upstreamUrl":"https://api-development.ons.io${url}","status":${status},"profile":"default","queuedMs":0.1${operation},` +
      `"request":{"headers":{"host":"localhost:8080","accept":"application/json","x-ons-usecase":"Clients synchroniseren"},"body":"","bodyBytes":0,"bodyTruncated":false,"bodyEncoding":"text"},` +
      `"response":{"headers":{"content-type":"application/json","x-request-id":"${id}"},"body":${body},"bodyBytes":${Buffer.byteLength(body)},"bodyTruncated":false,"bodyEncoding":"json"}}\n`;
    if (!out.write(line)) await once(out, 'drain');
    written += Buffer.byteLength(line);
    if (middleId === '' && written >= bytes / 2) middleId = id;
  }
  out.end();
  await once(out, 'finish');
  return { file, records, middleId };
}

/** For `node bench/dist/bench/log-reading-row.js [MiB]`: the row alone. */
export async function main(): Promise<void> {
  const mb = Number(process.argv[2] ?? 1024);
  const dir = path.join(REPO_ROOT, 'bench-results', 'log-reading');
  const { table, goals } = await runLogReadingRow({ dir, bytes: mb * 1024 ** 2, log: (line) => console.log(line) });
  console.log(`\n| ${table.head.join(' | ')} |\n|${table.head.map(() => '---').join('|')}|\n${table.rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`);
  console.log(goals.join('\n'));
}

if (process.argv[1]?.endsWith('log-reading-row.js')) await main();
