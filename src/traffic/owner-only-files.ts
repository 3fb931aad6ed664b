// Traffic records hold care data, so the folder and files they go to must be what they
// claim: a folder and regular files of the proxy's user that nobody else can read. A
// symbolic link planted under a day's file name is never followed, and a device or pipe
// in its place is never written to.
import fs from 'node:fs';

const LOOSE_BITS = 0o077;

/** Says what the proxy changed, once, as a warning line. */
export type PermissionNotice = (message: string) => void;

/** Creates the folder (mode 0700) or tightens an existing one; refuses one it cannot make private. */
export function prepareOwnerOnlyFolder(dir: string, notice: PermissionNotice): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(dir);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder`);
  tighten(dir, stat, 0o700, 'folder', notice, (mode) => fs.chmodSync(dir, mode));
}

/** Opens a traffic file for appending, creating it with mode 0600; throws with what is wrong and how to fix it. */
export function openOwnerOnlyFile(file: string, notice: PermissionNotice): number {
  const { O_WRONLY, O_APPEND, O_CREAT, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  let fd: number;
  try {
    // O_NONBLOCK: a named pipe in the file's place fails at once instead of waiting for a reader.
    fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new Error(`${file} is a symbolic link, and the proxy never writes traffic records through one: remove it`);
    if (code === 'ENXIO') throw new Error(`${file} is not a regular file (a named pipe): remove it`);
    throw error;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${file} is not a regular file (a device, pipe or socket): remove it`);
    tighten(file, stat, 0o600, 'file', notice, (mode) => fs.fchmodSync(fd, mode));
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
  return fd;
}

function tighten(where: string, stat: fs.Stats, mode: number, kind: 'file' | 'folder', notice: PermissionNotice, chmod: (mode: number) => void): void {
  const current = stat.mode & 0o777;
  if ((current & LOOSE_BITS) === 0) return;
  const shown = current.toString(8).padStart(4, '0');
  if (stat.uid !== process.getuid?.()) {
    throw new Error(`the traffic ${kind} ${where} has mode ${shown}, so others can read the care data in it, and it belongs to another user: make it mode ${mode.toString(8).padStart(4, '0')} or choose another folder`);
  }
  chmod(mode);
  notice(`The traffic ${kind} ${where} had mode ${shown}, readable by others: changed it to ${mode.toString(8).padStart(4, '0')}.`);
}
