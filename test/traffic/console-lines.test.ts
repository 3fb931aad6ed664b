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

describe('console lines on a terminal, as a person reads them', () => {
  function terminal(level = 'info'): { text: () => string; logger: ReturnType<typeof createConsoleLogger> } {
    const stream = Object.assign(new PassThrough(), { isTTY: true });
    let text = '';
    // eslint-disable-next-line no-control-regex -- the colours of the terminal output
    stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8').replace(/\x1b\[[0-9;]*m/g, '')));
    return { text: () => text, logger: createConsoleLogger(level, stream) };
  }
  // pino-pretty formats on its own stream: wait for the lines to arrive, not for a fixed time.
  async function until(ready: () => boolean): Promise<void> {
    for (let i = 0; i < 500 && !ready(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  it('is one readable sentence per exchange, its fields in words and not repeated as JSON', async () => {
    const { text, logger } = terminal();
    writeConsoleLine(logger, fixtureRecord({ url: '/t/clients/1' }));
    writeConsoleLine(logger, { ...fixtureRecord({ status: 403, url: '/t/finance' }), tag: 'dev', queuedMs: 12, hint: 'enable the endpoint' });
    writeConsoleLine(logger, { ...fixtureRecord({ status: 502 }), error: { code: 'upstream_connection_refused', message: 'refused' } });
    await until(() => text().split('\n').length > 3);
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/INFO: GET \/t\/clients\/1 200 [\d.]+ms$/);
    expect(lines[1]).toMatch(/INFO: \[dev\] GET \/t\/finance 403 [\d.]+ms, queued 12ms: enable the endpoint$/);
    expect(lines[2]).toMatch(/WARN: GET \S+ 502 [\d.]+ms, error upstream_connection_refused$/);
    expect(text()).not.toContain('{');
  });

  it('says how many identical refusals a summed-up refusal stands for', async () => {
    const { text, logger } = terminal();
    writeConsoleLine(logger, { ...fixtureRecord({ status: 403, url: '/t/clients' }), repeated: { count: 1999, until: '2026-11-28T12:00:03.120Z', lastId: 'last-one' } });
    await until(() => text().includes('\n'));
    expect(text().trim()).toMatch(/INFO: GET \/t\/clients 403 [\d.]+ms, 1,999 identical refusals until 12:00:03.120 UTC, the last one last-one$/);
  });

  it('sums up a burst in words only', async () => {
    const { text, logger } = terminal();
    const console = new ConsoleLines(logger, { summarise: true, trafficDir: 'logs' });
    for (let index = 0; index < LINES_PER_SECOND + 3; index++) console.write(fixtureRecord());
    console.flush();
    await until(() => text().includes('more exchanges'));
    expect(text()).toContain('... and 3 more exchanges (3 x 2xx) not listed here');
    expect(text()).not.toContain('moreExchanges');
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
