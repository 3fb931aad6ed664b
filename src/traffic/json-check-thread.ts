// Large JSON bodies are checked on a thread of their own. The check is a byte loop: for a
// 50 KB page of Ons clients it was about a fifth of the proxy's CPU per exchange, all of it
// on the event loop that also forwards. Handing the bytes to a worker costs the event loop
// about 10 us (a copy and two messages), so bodies below OFF_THREAD_BYTES stay on it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckRequest } from './json-check-worker.js';
import { checkWhole, type JsonTextVerdict } from './json-text.js';

export const OFF_THREAD_BYTES = 16 * 1024;

interface Waiting {
  readonly bytes: Uint8Array;
  readonly resolve: (verdict: JsonTextVerdict) => void;
}

// Beside this module once built (dist/traffic, or dist/cli for the bundle); the sources run
// in tests through vitest, and then the built worker is the one in dist/.
const WORKER_FILES = [new URL('./json-check-worker.js', import.meta.url), new URL('../../dist/traffic/json-check-worker.js', import.meta.url)];

let worker: Worker | undefined;
let unavailable: string | undefined;
let nextId = 0;
let checkedOffThread = 0;
const waiting = new Map<number, Waiting>();
let onUnavailable: (reason: string) => void = () => undefined;

/** Told once, with the reason, when the thread cannot start or stops: checks then run on the event loop. */
export function whenCheckThreadUnavailable(listener: (reason: string) => void): void {
  onUnavailable = listener;
}

/** How many bodies the thread has checked (for /__proxy/status). */
export function bodiesCheckedOffThread(): number {
  return checkedOffThread;
}

/** The verdict over `bytes` from the check thread, or undefined when there is none (the caller checks them itself). */
export function checkOffThread(bytes: Uint8Array): Promise<JsonTextVerdict> | undefined {
  const thread = worker ?? startWorker();
  if (!thread) return undefined;
  // A copy of exactly these bytes, moved to the thread: a Buffer may be a view into a larger pool.
  const copy = new Uint8Array(bytes);
  const id = nextId++;
  // While a check is out the thread keeps the process alive, or a record could be lost at exit.
  if (waiting.size === 0) thread.ref();
  return new Promise((resolve) => {
    waiting.set(id, { bytes, resolve });
    thread.postMessage({ id, bytes: copy } satisfies CheckRequest, [copy.buffer]);
  });
}

function startWorker(): Worker | undefined {
  if (unavailable !== undefined) return undefined;
  const file = WORKER_FILES.find((url) => existsSync(fileURLToPath(url)));
  if (!file) {
    giveUp(`json-check-worker.js is not beside ${fileURLToPath(import.meta.url)}`);
    return undefined;
  }
  let started: Worker;
  try {
    started = new Worker(file);
  } catch (error) {
    const refused = (error as Error & { code?: string }).code === 'ERR_ACCESS_DENIED';
    giveUp(refused ? `${(error as Error).message}: under Node's permission model, add --allow-worker` : (error as Error).message);
    return undefined;
  }
  started.unref();
  started.on('message', ({ id, verdict }: { id: number; verdict: JsonTextVerdict }) => {
    const entry = waiting.get(id);
    if (!entry) return;
    waiting.delete(id);
    checkedOffThread++;
    if (waiting.size === 0) started.unref();
    entry.resolve(verdict);
  });
  started.on('error', (error) => giveUp(error.message));
  started.on('exit', (code) => giveUp(`it exited with code ${code}`));
  worker = started;
  return started;
}

/** The bodies still waiting are checked here, so each keeps its record. */
function giveUp(reason: string): void {
  if (unavailable !== undefined) return;
  unavailable = reason;
  worker = undefined;
  for (const { bytes, resolve } of waiting.values()) resolve(checkWhole(bytes));
  waiting.clear();
  onUnavailable(reason);
}
