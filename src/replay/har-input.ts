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
  /** Stable for the same exchange in any later export: tells a HAR's exchanges apart without an id. */
  readonly digest: string;
}

export async function readHarFile(file: string): Promise<HarInput[]> {
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
  return entries.map((entry: unknown, index) => {
    const problem = entryProblem(entry);
    if (problem) throw new UserError(`${file}: entry ${index + 1} ${problem}; the file is not a usable HAR.`);
    const valid = entry as HarInputEntry;
    const digest = createHash('sha256').update(`${valid.startedDateTime} ${valid.request.method} ${valid.request.url}`).digest('hex').slice(0, 16);
    return { entry: valid, digest };
  });
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
