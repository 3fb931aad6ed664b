// The scheduling of the checks' preparation: small steps on later turns of the event loop,
// other work between them, a bounded number of waiting checks, and nothing left at close.
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../src/openapi/document.js';
import { CheckScheduler, type Preparable } from '../../src/openapi/check-scheduler.js';
import { OperationChecks } from '../../src/openapi/checks.js';
import { indexOperations } from '../../src/openapi/operations.js';
import { syntheticOnsDocument } from '../support/synthetic-openapi.js';

/** Keys that need `steps` steps each; the log says what ran, in order. */
function countedWork(steps: number, log: string[]): Preparable<string> & { done: Set<string> } {
  const done = new Set<string>();
  return {
    done,
    ready: (key) => done.has(key),
    warmUpSteps: () => [() => log.push('warm-up')],
    preparationSteps: (key) => [
      ...Array.from({ length: steps - 1 }, (_, i) => () => void log.push(`${key} ${i + 1}`)),
      () => {
        log.push(`${key} ${steps}`);
        done.add(key);
      },
    ],
  };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CheckScheduler', () => {
  it('prepares on later turns, one slice at a time, with other work between the slices', async () => {
    const log: string[] = [];
    const scheduler = new CheckScheduler(countedWork(3, log), { sliceMs: 0 });
    const readiness = scheduler.whenReady('a');
    expect(readiness).toBeInstanceOf(Promise);
    expect(log).toEqual([]);
    // Work that arrives meanwhile (another exchange) gets its turn between the steps.
    const other = (async () => {
      for (let turn = 0; turn < 3; turn++) {
        await nextTurn();
        log.push('other');
      }
    })();
    expect(await readiness).toBe('ready');
    await other;
    expect(log.filter((entry) => entry.startsWith('a '))).toEqual(['a 1', 'a 2', 'a 3']);
    expect(log.indexOf('other')).toBeLessThan(log.indexOf('a 3'));
    expect(scheduler.whenReady('a')).toBe('ready');
  });

  it('prepares an operation once however many checks wait for it', async () => {
    const log: string[] = [];
    const scheduler = new CheckScheduler(countedWork(2, log));
    const waiting = [scheduler.whenReady('a'), scheduler.whenReady('a'), scheduler.whenReady('a')];
    expect(scheduler.waiting).toBe(3);
    expect(await Promise.all(waiting)).toEqual(['ready', 'ready', 'ready']);
    expect(log).toEqual(['a 1', 'a 2']);
    expect(scheduler.waiting).toBe(0);
  });

  it('answers busy beyond maxWaiting instead of piling checks up', async () => {
    const log: string[] = [];
    const scheduler = new CheckScheduler(countedWork(2, log), { maxWaiting: 2 });
    const first = scheduler.whenReady('a');
    const second = scheduler.whenReady('b');
    expect(scheduler.whenReady('a')).toBe('busy');
    expect(scheduler.whenReady('c')).toBe('busy');
    expect(await Promise.all([first, second])).toEqual(['ready', 'ready']);
    // Once the queue drained, checks wait again.
    expect(scheduler.whenReady('c')).toBeInstanceOf(Promise);
    scheduler.close();
  });

  it('does what is left at close, so no waiting check is lost', async () => {
    const log: string[] = [];
    const scheduler = new CheckScheduler(countedWork(4, log), { sliceMs: 0 });
    scheduler.warmUp();
    const waiting = scheduler.whenReady('a');
    scheduler.close();
    expect(log).toEqual(['warm-up', 'a 1', 'a 2', 'a 3', 'a 4']);
    expect(await waiting).toBe('ready');
    expect(scheduler.whenReady('b')).toBe('ready');
  });
});

describe('preparing the checks of an Ons-sized document', () => {
  const document = parseDocument(JSON.stringify(syntheticOnsDocument()), 'synthetic');
  const operation = indexOperations(document).operations.find((candidate) => candidate.path.endsWith('/{id}') && candidate.method === 'GET');

  it('makes an operation ready in steps, and its checks find what a check compiled at once finds', async () => {
    if (!operation) throw new Error('the synthetic document has no GET /{id} operation');
    const prepared = new OperationChecks(document, { noteAbsentFields: true });
    const scheduler = new CheckScheduler(prepared);
    scheduler.warmUp();
    expect(prepared.ready(operation)).toBe(false);
    const steps = prepared.preparationSteps(operation).length;
    // The document's models registered in batches, then the operation's models one by one.
    expect(steps).toBeGreaterThan(20);
    expect(await scheduler.whenReady(operation)).toBe('ready');
    expect(prepared.ready(operation)).toBe(true);

    const message = (body: unknown) => ({ headers: { 'content-type': 'application/json' }, body, bodyBytes: 40, bodyTruncated: false, bodyEncoding: 'json' });
    const exchange = { request: { ...message(''), bodyBytes: 0 }, response: message({ id: 'three', stray: 1 }), status: 200 };
    const atOnce = new OperationChecks(document, { noteAbsentFields: true }).exchange(operation, { id: '3' }, new URLSearchParams(), exchange);
    const afterPreparation = prepared.exchange(operation, { id: '3' }, new URLSearchParams(), exchange);
    expect(afterPreparation).toEqual(atOnce);
    expect(afterPreparation.findings.map((finding) => finding.where)).toEqual(expect.arrayContaining(['response.body.id', 'response.body.stray']));
  });
});
