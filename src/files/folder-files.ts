// The one way the proxy names, reads and writes a file inside a folder it was given (a
// fixture set, a design folder): the files may come from elsewhere (a colleague's set, a
// repository), so nothing in them may steer a read or a write outside the folder. A name is
// one plain file name from a safe character set, never a path; no symbolic link is followed,
// reading or writing; only regular files are read, and only up to a size given beforehand; a
// write goes to a temporary file in the folder that is then renamed over the name, so a link
// planted under the name is replaced, never written through. Error messages name the file
// and what is wrong with it, never its content.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** A plain file name: letters, digits, ".", "_" and "-", starting with a letter or digit (so never "." or ".."). */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_NAME_LENGTH = 160;

/** Why a file inside a folder cannot be used: the message says which file, what is wrong, and never quotes its content. */
export class FolderFileError extends Error {
  constructor(
    message: string,
    /** The system's error code (ENOENT, ELOOP...), when the system refused. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'FolderFileError';
  }
}

/** True for a name `readInside` and `writeInside` accept. */
export function isSafeName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && SAFE_NAME.test(name);
}

/**
 * A safe file name made from any text ("GET /t/clients/1" -> "GET-t-clients-1"): every run
 * of other characters becomes one "-", dashes and dots at either end go, and the result is
 * cut to `maxLength`. Empty text gives `fallback`.
 */
export function safeName(text: string, fallback: string, maxLength = 80): string {
  const slug = text
    .replace(/[^A-Za-z0-9._]+/g, '-')
    .slice(0, maxLength)
    .replace(/^[-._]+|[-.]+$/g, '');
  return slug === '' ? fallback : slug;
}

/** The full path of `name` inside `folder`; throws when the name is not one plain, safe file name. */
export function pathInside(folder: string, name: string): string {
  if (!isSafeName(name)) {
    throw new FolderFileError(`"${shownName(name)}" is not a plain file name inside ${folder} (only letters, digits, ".", "_" and "-", no folders or links)`);
  }
  const base = path.resolve(folder);
  const full = path.resolve(base, name);
  // A safe name has no separator, so this holds; checked anyway, as the promise this module makes.
  if (path.dirname(full) !== base) throw new FolderFileError(`"${shownName(name)}" would leave ${folder}`);
  return full;
}

export interface ReadOptions {
  /** Larger files are refused before any byte is read. */
  readonly maxBytes: number;
}

/**
 * The bytes of `name` inside `folder`: a regular file that is not a symbolic link and is at
 * most `maxBytes` long (a device such as /dev/zero, a pipe or a link is refused unread).
 */
export async function readInside(folder: string, name: string, { maxBytes }: ReadOptions): Promise<Buffer> {
  const file = pathInside(folder, name);
  let handle: FileHandle;
  try {
    // O_NONBLOCK: a named pipe in the file's place opens at once (and is refused below) instead of waiting for a writer.
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    throw systemError(file, error, 'read');
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new FolderFileError(`${file} is not a regular file (a device, pipe or socket), so it is not read: replace it with the file it stands for`);
    if (stat.size > maxBytes) throw new FolderFileError(`${file} is ${stat.size} bytes, more than the ${maxBytes} bytes such a file may have, so it is not read`);
    // Read at most one byte past the limit: a file that grows while it is read is refused too.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buffer.length) break;
    }
    if (filled > maxBytes) throw new FolderFileError(`${file} grew past the ${maxBytes} bytes such a file may have while it was read, so it is not used`);
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/**
 * The bytes of a file the user named (its own path, links followed): only a regular file, and
 * only up to `maxBytes`, so a path such as /dev/zero or a pipe is refused rather than read
 * until memory runs out. Throws FolderFileError.
 */
export function readRegularFileSync(file: string, { maxBytes }: ReadOptions): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw systemError(file, error, 'read');
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new FolderFileError(`${file} is not a regular file (a device, pipe or socket), so it is not read`);
    if (stat.size > maxBytes) throw new FolderFileError(`${file} is ${stat.size} bytes, more than the ${maxBytes} bytes such a file may have, so it is not read`);
    const buffer = Buffer.alloc(stat.size + 1);
    let filled = 0;
    for (let read = -1; read !== 0 && filled < buffer.length; filled += read) read = readSync(fd, buffer, filled, buffer.length - filled, filled);
    if (filled > maxBytes) throw new FolderFileError(`${file} grew past the ${maxBytes} bytes such a file may have while it was read, so it is not used`);
    return buffer.subarray(0, filled);
  } finally {
    closeSync(fd);
  }
}

export interface WriteOptions {
  /** The file's mode when created (default 0644; 0600 for files that may hold care data). */
  readonly mode?: number;
}

/**
 * Writes `name` inside `folder` (created when missing): into a temporary file in the folder,
 * then renamed over the name. Whatever was there (a file, a symbolic link to elsewhere) is
 * replaced; nothing outside the folder is written.
 */
export async function writeInside(folder: string, name: string, data: string | Uint8Array, { mode = 0o644 }: WriteOptions = {}): Promise<void> {
  const file = pathInside(folder, name);
  await mkdir(path.dirname(file), { recursive: true });
  // A leading dot keeps it out of SAFE_NAME: no reader here takes it for a real file.
  const temporary = path.join(path.dirname(file), `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  } catch (error) {
    throw systemError(temporary, error, 'write');
  }
  try {
    await handle.writeFile(data);
    await handle.close();
    await rename(temporary, file);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw systemError(file, error, 'write');
  }
}

function systemError(file: string, error: unknown, doing: 'read' | 'write'): FolderFileError {
  if (error instanceof FolderFileError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return new FolderFileError(`${file} is a symbolic link, and files here are never ${doing === 'read' ? 'read' : 'written'} through one: replace it with the file itself`, code);
  if (code === 'ENOENT' && doing === 'read') return new FolderFileError(`${file} does not exist`, code);
  if (code === 'EISDIR') return new FolderFileError(`${file} is a folder, not a file`, code);
  // The system's message names the path and the reason (EACCES, ENOSPC...), never content.
  return new FolderFileError(`cannot ${doing} ${file}: ${(error as Error).message}`, code);
}

/** A name as it may be shown: cut, with anything but printable ASCII as "?" (it came from a file). */
function shownName(name: string): string {
  const cut = name.length > 80 ? `${name.slice(0, 77)}...` : name;
  return cut.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * `text` parsed as JSON, or an error that says where the file is not JSON but not what it
 * holds (V8's message quotes the text, which may be a file that was never meant to be read).
 */
export function parseJsonText(text: string, file: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    return { ok: false, message: `${file} is not valid JSON${position === undefined ? '' : ` (at character ${position})`}` };
  }
}
