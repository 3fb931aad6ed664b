// The console lines for log collectors are batched and written asynchronously; none may be
// lost when the process exits, crashes or simply goes quiet after a burst. Each case runs the
// built logger in its own process with stdout a real pipe, read here as a collector would.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const LOGGER = fileURLToPath(new URL('../../dist/log/logger.js', import.meta.url));
const LINES = 20_000;

/** Runs a process that writes LINES console lines in one burst and then does `ending`; resolves with what came through the pipe. */
function burst(ending: string, quietUntilRead: boolean): Promise<{ lines: string[]; code: number | null }> {
  if (!existsSync(LOGGER)) throw new Error(`${LOGGER} is missing: run "npm run build" first (npm test does).`);
  const script = `
    import { createConsoleLogger, lineDestination } from ${JSON.stringify(pathToFileURL(LOGGER).href)};
    const out = lineDestination(createConsoleLogger('info'));
    for (let n = 0; n < ${LINES}; n++) out.write(JSON.stringify({ level: 30, n, msg: 'GET /t/clients 200 1ms'.padEnd(100, '.') }) + '\\n');
    setTimeout(() => { ${ending} }, ${quietUntilRead ? 60_000 : 0});
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      // A burst that ended must reach the pipe while the process lives on, without an exit to flush it.
      if (quietUntilRead && text.split('\n').length > LINES) child.kill('SIGKILL');
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ lines: text.split('\n').filter(Boolean), code }));
  });
}

describe('console lines to a pipe', () => {
  it.each([
    ['an exit right after the burst', 'process.exit(0)', 0],
    ['a crash (uncaught exception)', 'throw new Error("crash")', 1],
  ])('keeps every line of a burst through %s', async (_name, ending, expectedCode) => {
    const { lines, code } = await burst(ending, false);
    expect(code).toBe(expectedCode);
    expect(lines).toHaveLength(LINES);
    expect((JSON.parse(lines.at(-1) ?? '{}') as { n?: number }).n).toBe(LINES - 1);
  });

  it('hands the end of a burst to the pipe while the process goes on', async () => {
    const { lines } = await burst('process.exit(0)', true);
    expect(lines).toHaveLength(LINES);
  });
});
