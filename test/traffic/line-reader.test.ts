// The block reader against the plain split of the same file: lines across block boundaries,
// lines longer than a block, CR LF endings, a last line without newline, and needles.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineNumbersAt, readFileLines, type LineNeedles } from '../../src/traffic/line-reader.js';

let dir: string;
let file: string;
let lines: string[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-lines-'));
  file = path.join(dir, 'lines.ndjson');
  lines = [];
  for (let index = 0; index < 3000; index++) {
    // Lengths from a few bytes to 1.5 MiB, so lines straddle the 1 MiB blocks and exceed them.
    const length = index % 997 === 0 ? 1_500_000 : (index * 7919) % 4000;
    lines.push(`{"status":${index % 5 === 0 ? 503 : 200},"n":${index},"pad":"${'é'.repeat(length % 50)}${'x'.repeat(length)}"}`);
  }
  await writeFile(file, `${lines.slice(0, 10).join('\r\n')}\r\n${lines.slice(10).join('\n')}\n{"status":503,"n":"last"}`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(needles?: LineNeedles): Promise<Array<{ text: string; number: number; complete: boolean }>> {
  const out = [];
  for await (const line of readFileLines(file, { needles })) out.push(line);
  const numbers = await lineNumbersAt(file, out.map((line) => line.offset));
  return out.map((line, index) => ({ text: line.text, number: numbers[index] ?? 0, complete: line.complete }));
}

describe('readFileLines', () => {
  it('gives every line with its number, the unfinished last one marked', async () => {
    const all = await read();
    expect(all.map((line) => line.text)).toEqual([...lines, '{"status":503,"n":"last"}']);
    expect(all.map((line) => line.number)).toEqual(all.map((_, index) => index + 1));
    expect(all.at(-1)?.complete).toBe(false);
    expect(all.slice(0, -1).every((line) => line.complete)).toBe(true);
  });

  it('with needles, gives exactly the lines holding one of each group, numbered as in the file', async () => {
    const needles = [[Buffer.from('status":5')], [Buffer.from('"n":1'), Buffer.from('"n":"')]];
    const expected = [...lines, '{"status":503,"n":"last"}']
      .map((text, index) => ({ text, number: index + 1 }))
      .filter(({ text }) => text.includes('"status":5') && (text.includes('"n":1') || text.includes('"n":"')));
    expect((await read(needles)).map(({ text, number }) => ({ text, number }))).toEqual(expected);
  });
});
