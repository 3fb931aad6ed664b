// A HAR file from any tool (a browser's DevTools, Insomnia, this proxy's own export), read
// only as far as a fixture needs it. Browsers leave out much of what HAR 1.2 calls required.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UserError } from '../config/errors.js';

interface NameValue {
  readonly name: string;
  readonly value: string;
}

export interface HarInputEntry {
  readonly startedDateTime: string;
  readonly time?: number;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: readonly NameValue[];
    readonly postData?: { readonly mimeType?: string; readonly text?: string; readonly comment?: string };
  };
  readonly response: {
    readonly status: number;
    readonly headers: readonly NameValue[];
    readonly content: { readonly size?: number; readonly mimeType?: string; readonly text?: string; readonly encoding?: string; readonly comment?: string };
  };
  readonly timings?: { readonly blocked?: number };
  /** Set by this proxy's own HAR export: the record's id. */
  readonly _id?: string;
}

export interface HarInput {
  readonly entry: HarInputEntry;
  /** Stable for the same exchange in any later export of the same HAR: tells a HAR's exchanges apart without an id. */
  readonly digest: string;
}

export interface HarEntries {
  readonly inputs: HarInput[];
  /** "2 entries skipped: not a HAR entry (entry 3: has no startedDateTime; entry 7: ...)", when some were. */
  readonly skippedNote: string | undefined;
}

const LISTED_ENTRIES = 10;

/**
 * The usable entries of a HAR file. An entry without what a fixture needs is skipped and
 * named in `skippedNote`; entries are never merged, however alike (a batch of 1,000 identical
 * GETs in the same millisecond stays 1,000 exchanges).
 */
export async function readHarFile(file: string): Promise<HarEntries> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the file does not exist' : code ? (error as Error).message : `it is not JSON (${(error as Error).message})`;
    throw new UserError(`Cannot read the HAR file ${file}: ${reason}.`);
  }
  const entries = (document as { log?: { entries?: unknown } } | null)?.log?.entries;
  if (!Array.isArray(entries)) throw new UserError(`${file} is not a HAR file: it has no log.entries list. Export one with "Save all as HAR" in the browser's network panel, or with ons-proxy har.`);
  const inputs: HarInput[] = [];
  const skipped: string[] = [];
  // Entries alike in time, method and URL get their position among them in the digest.
  const seen = new Map<string, number>();
  entries.forEach((entry: unknown, index) => {
    const problem = entryProblem(entry);
    if (problem) {
      skipped.push(`entry ${index + 1}: ${problem}`);
      return;
    }
    const valid = entry as HarInputEntry;
    const base = createHash('sha256').update(`${valid.startedDateTime} ${valid.request.method} ${valid.request.url}`).digest('hex').slice(0, 16);
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    inputs.push({ entry: valid, digest: occurrence === 1 ? base : `${base}-${occurrence}` });
  });
  const listed = skipped.slice(0, LISTED_ENTRIES).join('; ') + (skipped.length > LISTED_ENTRIES ? '; ...' : '');
  const skippedNote = skipped.length === 0 ? undefined : `${skipped.length} ${skipped.length === 1 ? 'entry' : 'entries'} of ${file} skipped: not a usable HAR entry (${listed})`;
  return { inputs, skippedNote };
}

function entryProblem(entry: unknown): string | undefined {
  const candidate = entry as Partial<HarInputEntry> | null;
  if (typeof candidate?.startedDateTime !== 'string') return 'has no startedDateTime';
  const { request, response } = candidate;
  if (typeof request?.method !== 'string' || typeof request.url !== 'string' || !URL.canParse(request.url)) return 'has no request method or absolute URL';
  if (!Array.isArray(request.headers)) return 'has no request headers list';
  if (typeof response?.status !== 'number' || !Array.isArray(response.headers) || typeof response.content !== 'object') return 'has no response status, headers or content';
  return undefined;
}
