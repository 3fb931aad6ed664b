// Shared by the replay suites: real HTTP calls that keep the exact bytes of each answer,
// and the fixture files as written on disk.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bytes: Buffer;
}

export interface Call {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** One exchange through a proxy with undici, the body as the bytes that arrived. */
export async function send(baseUrl: string, call: Call): Promise<Answer> {
  const response = await request(`${baseUrl}${call.path}`, {
    method: (call.method ?? 'GET') as 'GET',
    headers: { accept: 'application/json', ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}), ...call.headers },
    body: call.body,
  });
  return { status: response.statusCode, headers: response.headers, bytes: Buffer.from(await response.body.arrayBuffer()) };
}

export interface IndexEntry {
  file: string;
  method: string;
  path: string;
  status: number;
  source: string;
}

export async function readIndexFile(folder: string): Promise<IndexEntry[]> {
  return (JSON.parse(await readFile(path.join(folder, 'index.json'), 'utf8')) as { fixtures: IndexEntry[] }).fixtures;
}

export interface FixtureFile {
  source: { id: string; time: string; durationMs: number; upstreamUrl?: string };
  request: { method: string; path: string; query: Record<string, string | string[]>; headers: Record<string, string>; body: unknown; bodyEncoding: string };
  response: { status: number; headers: Record<string, string | string[]>; body: unknown; bodyEncoding: string };
}

export async function readFixtureFile(folder: string, file: string): Promise<FixtureFile> {
  return JSON.parse(await readFile(path.join(folder, file), 'utf8')) as FixtureFile;
}

/** The URL a fixture was recorded for: its path and query as the client sent them. */
export function fixtureUrl(fixture: FixtureFile): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(fixture.request.query)) for (const item of Array.isArray(value) ? value : [value]) query.append(name, item);
  const text = query.toString();
  return text === '' ? fixture.request.path : `${fixture.request.path}?${text}`;
}

/** Waits until the process output holds `text` (console lines are written in batches). */
export async function outputContains(output: () => string, text: string): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (output().includes(text)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
