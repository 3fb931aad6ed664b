// The traffic file's writer: lines reach the file whole and in order, through partial
// writes, a day's worth of batches and the process's exit.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppendWriter } from '../../src/traffic/append-writer.js';

let folder: string | undefined;
afterEach(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

const appendTo = (file: string): number => fs.openSync(file, 'a', 0o600);

describe('AppendWriter', () => {
  it('writes every line whole and in order, more lines than one write takes', async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-append-'));
    const file = path.join(folder, 'lines.ndjson');
    const errors: Error[] = [];
    const writer = new AppendWriter(appendTo(file), 1024 ** 3, { onError: (error) => errors.push(error) });
    const lines = Array.from({ length: 3000 }, (_, i) => Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(i % 700) })));
    for (const [i, line] of lines.entries()) {
      // A record comes as pieces (the text around a body, the body's own bytes).
      expect(writer.writeLine([line.subarray(0, 5), line.subarray(5)])).toBe(true);
      if (i % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await writer.end();
    expect(errors).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe(lines.map((line) => `${line.toString()}\n`).join(''));
  });

  it('drops a line, and says so, rather than hold more than its limit while the disk refuses', async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-append-'));
    const file = path.join(folder, 'lines.ndjson');
    const writer = new AppendWriter(appendTo(file), 100, { onError: () => undefined });
    expect(writer.writeLine([Buffer.alloc(60, 'a')])).toBe(true);
    expect(writer.writeLine([Buffer.alloc(60, 'b')])).toBe(false);
    await writer.end();
    expect(await readFile(file, 'utf8')).toBe(`${'a'.repeat(60)}\n`);
  });

  it('writes what is pending when the process exits before the batch went out', async () => {
    // The batch waits 10 ms; the process exits at once, with the lines still pending.
    const text = await fileAfterExit('for (let i = 0; i < 100; i++) writer.writeLine([Buffer.from(String(i))]); process.exit(0);');
    expect(text).toBe(Array.from({ length: 100 }, (_, i) => `${i}\n`).join(''));
  });

  it('writes each line once when the process exits while a batch is being written', async () => {
    // The writer's batch timer was set first, so it fires first: its write is under way (on
    // libuv's pool) when the exit comes, and the lines after it are still pending.
    const text = await fileAfterExit("for (let i = 0; i < 2000; i++) writer.writeLine([Buffer.from(String(i).padEnd(8000, '.'))]); setTimeout(() => process.exit(0), 10);");
    const lines = text.split('\n').filter(Boolean).map((line) => Number.parseInt(line, 10));
    expect(lines.length).toBe(2000);
    expect(new Set(lines).size).toBe(2000);
  });
});

/** Runs `body` in a process of its own, with `writer` appending to a new file; the file's text once that process ended. */
async function fileAfterExit(body: string): Promise<string> {
  folder = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-append-'));
  const file = path.join(folder, 'lines.ndjson');
  // The built module (npm test builds first): Node 20 cannot run the TypeScript source itself.
  const module = path.resolve('dist/traffic/append-writer.js');
  const script = `import fs from 'node:fs'; import { AppendWriter } from ${JSON.stringify(module)};
    const writer = new AppendWriter(fs.openSync(${JSON.stringify(file)}, 'a'), 1e9, { onError: () => {} });
    ${body}`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script]);
  return readFile(file, 'utf8');
}
