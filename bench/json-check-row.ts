// Row "json check", in process: what the recorder's JSON text check (src/traffic/json-text.ts)
// costs per byte over Ons-shaped answers of 4 KB, 50 KB and 1 MB, and, for the sizes near the
// check thread's threshold, the check inline against handing the body to the thread
// (the check thread's cost on the calling thread: the copy and postMessage).
// Alone, after `npx tsc -p bench`:
//   node bench/dist/bench/json-check-row.js [--baseline <an earlier json-text.js>] [--reps <n>]
// --baseline adds the same rows for another build of the check (e.g. `git show <commit>:src/traffic/json-text.ts`
// bundled with esbuild), so before and after are measured in one run on the same machine.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { JsonCheckThread } from '../src/traffic/json-check-thread.js';
import { checkWhole, type JsonTextVerdict } from '../src/traffic/json-text.js';
import { onsListAnswer, onsObjectAnswer } from '../test/support/ons-payloads.js';
import { median, renderText, type Table } from './report.js';

type Check = (bytes: Uint8Array) => JsonTextVerdict;

const PAYLOADS: ReadonlyArray<{ readonly label: string; readonly body: Buffer }> = [
  { label: '4 KB (one Ons client)', body: onsObjectAnswer(4 * 1024) },
  { label: '50 KB (a page of clients)', body: onsListAnswer(50 * 1024) },
  { label: '1 MB (a long page)', body: onsListAnswer(1024 * 1024) },
];

/** Sizes around the thread's threshold: where the inline check starts to hold the event loop too long. */
const HAND_OFF_SIZES = [50 * 1024, 128 * 1024, 256 * 1024, 1024 * 1024];

/** Each repetition checks about this many bytes, so a 4 KB body is timed over many calls, not one. */
const BYTES_PER_REP = 8 * 1024 * 1024;

/**
 * Median ns per byte of `check` over `body`, after a warm-up that lets the JIT optimise the
 * loop. CPU time, not wall time: on a shared machine the wall clock counts the other processes' turns too.
 */
function nsPerByte(check: Check, body: Buffer, reps: number): number {
  if (!check(body).valid) throw new Error('the payload is not valid JSON to this check');
  const calls = Math.max(1, Math.round(BYTES_PER_REP / body.length));
  const timeOnce = (): number => {
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) check(body);
    const { user, system } = process.cpuUsage(start);
    return ((user + system) * 1000) / (calls * body.length);
  };
  for (let i = 0; i < 3; i++) timeOnce();
  return median(Array.from({ length: reps }, timeOnce));
}

/** Median microseconds of `work` over `reps` runs (after 3 unmeasured), wall time: these are single calls of tens of microseconds. */
async function medianMicros(reps: number, work: () => Promise<void> | void, measured: () => void): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < reps + 3; i++) {
    const start = process.hrtime.bigint();
    measured();
    const micros = Number(process.hrtime.bigint() - start) / 1000;
    await work();
    if (i >= 3) samples.push(micros);
  }
  return median(samples);
}

/** What a JsonCheckThread's check costs the calling thread (until postMessage returns), each answer awaited before the next hand-off. */
async function handOffMicros(body: Buffer, reps: number): Promise<number> {
  let answer: Promise<JsonTextVerdict> | undefined;
  const thread = new JsonCheckThread((reason) => {
    throw new Error(`the check thread is unavailable: ${reason}`);
  });
  try {
    return await medianMicros(
    reps,
    async () => {
      if (!answer) throw new Error('the check thread did not start: build it with `npx tsc -p bench` first');
      if (!(await answer).valid) throw new Error('the thread found the payload invalid');
    },
    () => {
      answer = thread.check(body);
    },
  );
  } finally {
    await thread.close();
  }
}

/** A copy into a freshly allocated buffer: what each hand-off cost before the thread's buffers were reused. */
function freshCopyMicros(body: Buffer, reps: number): Promise<number> {
  const copies: Uint8Array[] = [];
  return medianMicros(
    reps,
    () => void copies.pop(),
    () => void copies.push(new Uint8Array(body)),
  );
}

function inlineMicros(body: Buffer, reps: number): number {
  return (nsPerByte(checkWhole, body, reps) * body.length) / 1000;
}

export interface JsonCheckRowOptions {
  readonly reps: number;
  /** Another build of json-text.js to measure beside this one. */
  readonly baseline?: string;
  readonly log: (line: string) => void;
}

export async function runJsonCheckRow(options: JsonCheckRowOptions): Promise<Table[]> {
  const checks: Array<{ name: string; check: Check }> = [];
  if (options.baseline) {
    const module = (await import(pathToFileURL(path.resolve(options.baseline)).href)) as { checkWhole: Check };
    checks.push({ name: 'baseline', check: module.checkWhole });
  }
  checks.push({ name: 'this build', check: checkWhole });
  const perByte: string[][] = [];
  for (const { label, body } of PAYLOADS) {
    const results = checks.map(({ check }) => nsPerByte(check, body, options.reps));
    options.log(`json check: ${label}: ${results.map((ns, i) => `${checks[i]!.name} ${ns.toFixed(2)} ns/byte`).join(', ')}`);
    const speedup = results.length === 2 ? `${(results[0]! / results[1]!).toFixed(1)}x` : '';
    perByte.push([label, ...results.map((ns) => ns.toFixed(2)), ...(results.length === 2 ? [speedup] : [])]);
  }
  const handOffs: string[][] = [];
  for (const size of HAND_OFF_SIZES) {
    const body = onsListAnswer(size);
    const inline = inlineMicros(body, options.reps);
    const handOff = await handOffMicros(body, options.reps * 4);
    const freshCopy = await freshCopyMicros(body, options.reps * 4);
    options.log(`json check: ${size / 1024} KB: inline ${inline.toFixed(0)} us, hand-off ${handOff.toFixed(0)} us, a copy into a fresh buffer ${freshCopy.toFixed(0)} us`);
    handOffs.push([`${size / 1024} KB`, inline.toFixed(0), handOff.toFixed(0), freshCopy.toFixed(0)]);
  }
  return [
    {
      title: 'JSON text check, median ns per byte (in process, checkWhole)',
      head: ['payload', ...checks.map(({ name }) => `${name} ns/byte`), ...(checks.length === 2 ? ['speed-up'] : [])],
      rows: perByte,
    },
    {
      title: 'The check inline against handing it to the check thread: median us on the calling thread',
      head: ['body', 'inline check us', 'hand-off us (copy into a reused buffer + postMessage)', 'copy into a fresh buffer us'],
      rows: handOffs,
    },
  ];
}

/** For `node bench/dist/bench/json-check-row.js`: the row alone. */
export async function main(): Promise<void> {
  const { values } = parseArgs({ options: { baseline: { type: 'string' }, reps: { type: 'string', default: '9' } } });
  const tables = await runJsonCheckRow({ reps: Number(values.reps), ...(values.baseline ? { baseline: values.baseline } : {}), log: (line) => console.log(line) });
  for (const table of tables) console.log(`\n${renderText(table)}`);
  // The check thread is unref'd while idle, so the process ends here.
}

if (process.argv[1]?.endsWith('json-check-row.js')) await main();
