// Where records are made. The answer's path hands over the plain facts of an exchange
// (exchange-facts.ts) and goes on; the pipeline builds the record from them, lets the
// annotators add what they know (the API document's operation and findings, the Technical
// Design's verdict), serialises it once and gives it to each sink (traffic file, console,
// inspector). Each running instance owns one pipeline and closes it once.
//
// Facts are queued and recorded together once per event-loop turn, after the turn's I/O: the
// exchanges whose bytes are ready are served first, and a batch of records is built with the
// recording's code and data still hot in the caches. Built one at a time, between forwarding
// steps, the same work cost several times as much CPU per record.
import type { ConsoleLogger } from '../log/logger.js';
import { buildRecord, type RecordContext } from './build-record.js';
import type { ExchangeFacts } from './exchange-facts.js';
import type { TrafficRecord } from './record.js';
import { RepeatedRefusals } from './repeated-refusals.js';
import { serialiseRecord } from './serialise-record.js';
import type { RecordSink } from './sinks/sink.js';

/** What an annotator may add to a record; the pipeline merges it in before any sink sees the record. */
export type RecordAnnotation = Partial<Pick<TrafficRecord, 'operation' | 'hint' | 'findings' | 'notChecked' | 'design' | 'answeredBy'>>;

/**
 * Says what it knows about a record, after the answer went out, without changing it. A
 * promise holds the record back from the sinks until it settles: an annotator that returns
 * one must settle it soon (the API document's checks wait at most for their validators).
 */
export type RecordAnnotator = (record: Readonly<TrafficRecord>) => RecordAnnotation | undefined | Promise<RecordAnnotation | undefined>;

type PipelineLogger = Pick<ConsoleLogger, 'error'>;

export class RecordingPipeline {
  readonly #context: RecordContext;
  readonly #sinks: readonly RecordSink[];
  readonly #annotators: readonly RecordAnnotator[];
  readonly #logger: PipelineLogger;
  readonly #refusals: RepeatedRefusals;
  #queue: ExchangeFacts[] = [];
  #scheduled = false;
  readonly #pending = new Set<Promise<void>>();
  #built = 0;
  #closing: Promise<void> | undefined;

  constructor(context: RecordContext, sinks: readonly RecordSink[], annotators: readonly RecordAnnotator[], logger: PipelineLogger) {
    this.#context = context;
    this.#sinks = sinks;
    this.#annotators = annotators;
    this.#logger = logger;
    this.#refusals = new RepeatedRefusals((record) => this.publish(record));
  }

  get context(): RecordContext {
    return this.#context;
  }

  /** From the answer's path: the exchange's facts, recorded later in this event-loop turn. */
  submit(facts: ExchangeFacts): void {
    this.#queue.push(facts);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#drain);
  }

  /** A record built elsewhere (a raw refusal, a webhook delivery): annotated, serialised and handed to the sinks. */
  publish(record: TrafficRecord): void {
    try {
      this.#track(record);
    } catch (error) {
      this.#logger.error(`could not record exchange ${record.id}: ${(error as Error).message}`);
    }
  }

  status(): Record<string, unknown> {
    const status: Record<string, unknown> = {};
    for (const sink of this.#sinks) Object.assign(status, sink.status?.());
    return { ...status, recordsBuilt: this.#built, recordsPending: this.#pending.size + this.#queue.length, refusalsSummedUp: this.#refusals.summedUp };
  }

  /** Records everything submitted so far, then closes the sinks. Later calls return the same promise. */
  close(): Promise<void> {
    this.#closing ??= this.#closeOnce();
    return this.#closing;
  }

  async #closeOnce(): Promise<void> {
    // Exchanges cut off by the shutdown report themselves on the following turns.
    await new Promise((resolve) => setImmediate(resolve));
    await this.#settle();
    this.#refusals.flush();
    // A summed-up refusal may wait for its annotators like any record: the sinks close after it.
    await this.#settle();
    for (const sink of this.#sinks) {
      try {
        await sink.close?.();
      } catch (error) {
        this.#logger.error(`the ${sink.name} record sink did not close cleanly: ${(error as Error).message}`);
      }
    }
    await this.#context.checkThread?.close();
  }

  async #settle(): Promise<void> {
    while (this.#queue.length > 0 || this.#pending.size > 0) {
      this.#drain();
      await Promise.allSettled([...this.#pending]);
    }
  }

  readonly #drain = (): void => {
    this.#scheduled = false;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    for (const facts of batch) this.#record(facts);
  };

  #record(facts: ExchangeFacts): void {
    const deliver = (record: TrafficRecord): void => {
      if (facts.refusalKind === undefined) this.#track(record);
      else this.#refusals.add(facts.refusalKind, record);
    };
    // Still exactly one record when the bodies cannot be described: without them rather than none at all.
    const withoutBodies = (error: unknown): TrafficRecord | Promise<TrafficRecord> => {
      this.#logger.error(`could not describe the bodies of exchange ${facts.id}: ${(error as Error).message}`);
      return buildRecord({ ...facts, requestBody: undefined, responseBody: undefined }, this.#context);
    };
    try {
      let built: TrafficRecord | Promise<TrafficRecord>;
      try {
        built = buildRecord(facts, this.#context);
      } catch (error) {
        built = withoutBodies(error);
      }
      if (built instanceof Promise) this.#wait(built.catch(withoutBodies).then(deliver), facts.id);
      else deliver(built);
    } catch (error) {
      this.#logger.error(`could not record exchange ${facts.id}: ${(error as Error).message}`);
    }
  }

  /** Runs the annotators from `first` on, in order; a promise when one of them has to wait. */
  #annotate(record: TrafficRecord, first: number): Promise<void> | undefined {
    for (let index = first; index < this.#annotators.length; index++) {
      let said: ReturnType<RecordAnnotator>;
      try {
        said = this.#annotators[index]?.(record);
      } catch (error) {
        this.#annotationFailed(record, error);
        continue;
      }
      if (said instanceof Promise) {
        return said.then(
          (annotation) => {
            if (annotation) Object.assign(record, annotation);
            return this.#annotate(record, index + 1);
          },
          (error: unknown) => {
            this.#annotationFailed(record, error);
            return this.#annotate(record, index + 1);
          },
        );
      }
      // The record is the pipeline's own until the sinks have it: merging in place is safe.
      if (said) Object.assign(record, said);
    }
    return undefined;
  }

  #annotationFailed(record: TrafficRecord, error: unknown): void {
    this.#logger.error(`could not annotate the record of exchange ${record.id}: ${(error as Error).message}`);
  }

  /** Annotates the record, then writes it: now, or once its annotations are in. */
  #track(record: TrafficRecord): void {
    this.#built++;
    const annotating = this.#annotate(record, 0);
    if (annotating === undefined) this.#write(record);
    else this.#wait(annotating.then(() => this.#write(record)), record.id);
  }

  #wait(work: Promise<void>, id: string): void {
    const done: Promise<void> = work
      .catch((error: unknown) => this.#logger.error(`could not record exchange ${id}: ${(error as Error).message}`))
      .finally(() => this.#pending.delete(done));
    this.#pending.add(done);
  }

  #write(built: TrafficRecord): void {
    const { record, json } = serialiseRecord(built, (error) => this.#logger.error(`could not serialise the record of exchange ${built.id}, recorded without bodies: ${error.message}`));
    // One failing sink must not cost the others their record.
    for (const sink of this.#sinks) {
      try {
        sink.write(record, json);
      } catch (error) {
        this.#logger.error(`the ${sink.name} record sink failed: ${(error as Error).message}`);
      }
    }
  }
}
