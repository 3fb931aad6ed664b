// On a terminal, bursts of ordinary exchanges are summed up; errors always get their own line.
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createConsoleLogger } from '../../src/log/logger.js';
import { writeConsoleLine } from '../../src/traffic/console-lines.js';
import { ConsoleLines, LINES_PER_SECOND } from '../../src/traffic/console-lines.js';
import { fixtureRecord } from '../support/records-fixture.js';

function collect(level = 'info'): { lines: Array<Record<string, unknown>>; logger: ReturnType<typeof createConsoleLogger> } {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  stream.on('data', (chunk: Buffer) => {
    for (const text of chunk.toString('utf8').split('\n')) if (text) lines.push(JSON.parse(text) as Record<string, unknown>);
  });
  return { lines, logger: createConsoleLogger(level, stream) };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('console lines on a terminal', () => {
  it('lists the first exchanges of a burst, then one summary with the count of the rest', async () => {
    const { lines, logger } = collect();
    const console = new ConsoleLines(logger, { summarise: true, trafficDir: '/var/log/ons' });
    for (let index = 0; index < 50; index++) console.write(fixtureRecord({ url: `/t/clients/${index}` }));
    console.flush();
    await settle();
    const exchanges = lines.filter((line) => line.url !== undefined);
    expect(exchanges).toHaveLength(LINES_PER_SECOND);
    const summary = lines.find((line) => line.moreExchanges !== undefined);
    expect(summary?.moreExchanges).toBe(50 - LINES_PER_SECOND);
    expect(String(summary?.msg)).toContain('30 x 2xx');
    expect(String(summary?.msg)).toContain('/var/log/ons');
  });

  it('always shows errors and client errors on their own line, however busy', async () => {
    const { lines, logger } = collect();
    const console = new ConsoleLines(logger, { summarise: true, trafficDir: 'logs' });
    for (let index = 0; index < 40; index++) console.write(fixtureRecord());
    for (let index = 0; index < 5; index++) console.write(fixtureRecord({ status: 429, url: `/t/limited/${index}` }));
    console.flush();
    await settle();
    expect(lines.filter((line) => line.status === 429)).toHaveLength(5);
  });

  it('writes every line for log collectors, and at debug level', async () => {
    for (const [summarise, level] of [[false, 'info'], [true, 'debug']] as const) {
      const { lines, logger } = collect(level);
      const console = new ConsoleLines(logger, { summarise, trafficDir: 'logs' });
      for (let index = 0; index < 50; index++) console.write(fixtureRecord());
      console.flush();
      await settle();
      expect(lines.filter((line) => line.url !== undefined)).toHaveLength(50);
      expect(lines.some((line) => line.moreExchanges !== undefined)).toBe(false);
    }
  });
});

describe('console lines for log collectors', () => {
  it('are the lines pino writes for the same fields, for ordinary and exceptional exchanges', async () => {
    const records = [
      fixtureRecord(),
      { ...fixtureRecord({ url: '/t/clients?name="Jan"\\x' }), tag: 'sync "nightly"', queuedMs: 12.5, hint: 'limit reached' },
      { ...fixtureRecord({ status: 502 }), error: { code: 'ECONNREFUSED', message: 'refused' } },
      { ...fixtureRecord({ status: 0 }), aborted: true as const },
    ];
    for (const level of ['info', 'warn']) {
      const ours = collect(level);
      const pinos = collect(level);
      const reference = pino({ level, base: undefined }, collectStream(pinos.lines));
      for (const record of records) {
        writeConsoleLine(ours.logger, record);
        const ms = Math.round(record.durationMs * 10) / 10;
        const fields = {
          id: record.id, method: record.method, url: record.url, status: record.status, ms,
          ...(record.tag !== undefined ? { tag: record.tag } : {}),
          ...(record.queuedMs > 0 ? { queuedMs: record.queuedMs } : {}),
          ...(record.aborted ? { aborted: true } : {}),
          ...(record.error ? { error: record.error.code } : {}),
          ...(record.hint !== undefined ? { hint: record.hint } : {}),
        };
        const message = `${record.method} ${record.url} ${record.aborted ? 'aborted' : record.status} ${ms}ms`;
        if (record.error || record.status >= 500) reference.warn(fields, message);
        else reference.info(fields, message);
      }
      await settle();
      const withoutTime = (lines: Array<Record<string, unknown>>): string[] => lines.map(({ time: _time, ...rest }) => JSON.stringify(rest));
      expect(ours.lines.every((line) => typeof line.time === 'number')).toBe(true);
      expect(ours.lines.length).toBe(level === 'info' ? 4 : 1);
      expect(withoutTime(ours.lines)).toEqual(withoutTime(pinos.lines));
    }
  });
});

function collectStream(lines: Array<Record<string, unknown>>): PassThrough {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => {
    for (const text of chunk.toString('utf8').split('\n')) if (text) lines.push(JSON.parse(text) as Record<string, unknown>);
  });
  return stream;
}
