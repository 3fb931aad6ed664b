// Where downloaded documents live: a per-user cache folder, so one `ons-proxy openapi update`
// serves every project and profile on the machine, offline afterwards.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const APP_FOLDER = 'ons-mtls-proxy';

/** XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows. */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = os.homedir()): string {
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), APP_FOLDER, 'Cache');
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', APP_FOLDER);
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative value is invalid and must be ignored.
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache'), APP_FOLDER);
}

/** What `openapi update` learnt about a cached document, kept beside it. */
export interface CacheMeta {
  readonly url: string;
  readonly etag?: string | undefined;
  readonly lastModified?: string | undefined;
  /** When the document was last downloaded (ISO). */
  readonly fetchedAt: string;
  /** When the server was last asked, a 304 included (ISO). */
  readonly checkedAt: string;
  readonly bytes: number;
  readonly operations: number;
  readonly title?: string | undefined;
}

export interface CacheEntry {
  readonly file: string;
  readonly metaFile: string;
}

/** The files of the document downloaded from `url`: named after its host and a hash of the URL. */
export function cacheEntry(url: string, folder = cacheFolder()): CacheEntry {
  const host = new URL(url).hostname.replace(/[^A-Za-z0-9.-]/g, '_');
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 12);
  const base = path.join(folder, `openapi-${host}-${hash}`);
  return { file: `${base}.json`, metaFile: `${base}.meta.json` };
}

export function readCacheMeta(entry: CacheEntry): CacheMeta | undefined {
  try {
    if (!fs.existsSync(entry.file)) return undefined;
    return JSON.parse(fs.readFileSync(entry.metaFile, 'utf8')) as CacheMeta;
  } catch {
    return undefined;
  }
}

/** Writes the document and its meta data; a reader never sees half a file (write, then rename). */
export function writeCache(entry: CacheEntry, text: string | undefined, meta: CacheMeta): void {
  fs.mkdirSync(path.dirname(entry.file), { recursive: true, mode: 0o700 });
  if (text !== undefined) replaceFile(entry.file, text);
  replaceFile(entry.metaFile, `${JSON.stringify(meta, null, 2)}\n`);
}

function replaceFile(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}
