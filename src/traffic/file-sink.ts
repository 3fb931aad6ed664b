// Writes one NDJSON line per record to <logDir>/traffic-YYYY-MM-DD.ndjson (local date, a new
// file each day), in batches of asynchronous vectored writes (append-writer.ts): writing never
// blocks the event loop, and a failing disk never stops the proxying. The record comes as the
// bytes of its JSON text (the inspector keeps the same bytes), written as they are: no string
// is joined or encoded again on the way to the disk. (pino's sonic-boom wrote them before; it
// joins each batch into a new buffer, which cost more than the write for large answers.)
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../config/errors.js';
import { AppendWriter } from './append-writer.js';
import type { RecordJson } from './record-bytes.js';
import { localDay, trafficFileName } from './files.js';
import { openOwnerOnlyFile, prepareOwnerOnlyFolder, type PermissionNotice } from './owner-only-files.js';

const NEWLINE = Buffer.from('\n');
// A link planted under the day's name after it was opened is not followed by the late write either.
const APPEND_NO_LINK = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;

// While the disk refuses writes, records wait in memory up to this much, then are dropped
// (and counted) instead of growing without bound.
const MAX_BUFFERED_BYTES = 128 * 1024 * 1024;

export interface FileSinkStatus {
  readonly file: string;
  /** Records handed to the file (buffered or on disk). */
  readonly recordsWritten: number;
  /** Records dropped because the disk kept refusing them. */
  readonly recordsDropped?: number;
  readonly writeError?: string;
}

export interface TrafficFileSink {
  /** `json`: the pieces of one record's JSON text, without the line break. */
  write(json: RecordJson): void;
  status(): FileSinkStatus;
  /** Writes out everything buffered, then closes the file. */
  close(): Promise<void>;
}

interface OpenDay {
  readonly day: string;
  readonly file: string;
  readonly writer: AppendWriter;
}

/**
 * Opens today's traffic file. An unusable log folder is reported now, as a UserError;
 * a failure later (disk full, file removed) goes to `onWriteError` once and to status().
 */
export function openTrafficFileSink(logDir: string, onWriteError: (message: string) => void, onPermissionFixed: PermissionNotice): TrafficFileSink {
  const dir = path.resolve(logDir);
  let writeError: string | undefined;
  const fail = (message: string): void => {
    if (writeError === undefined) onWriteError(message);
    writeError = message;
  };
  let current: OpenDay;
  try {
    // Records can hold care data: only the owner may read them.
    prepareOwnerOnlyFolder(dir, onPermissionFixed);
    current = openDay(dir, localDay(new Date()), onPermissionFixed, fail);
  } catch (error) {
    // A system error needs a usable folder; the checks of owner-only-files say themselves what to fix.
    const fix = (error as NodeJS.ErrnoException).code !== undefined ? 'Make the folder writable' : 'Fix that';
    throw new UserError(`Cannot write traffic records to ${dir}: ${(error as Error).message}. ${fix}, or choose another folder with ONS_PROXY_LOG_DIR (--log-dir).`);
  }
  let written = 0;
  let closed = false;
  let dropped = 0;
  // The day is looked at again only once the clock passes the next local midnight, not per record.
  let dayEndsAt = nextLocalMidnight(Date.now());

  return {
    write(json) {
      const now = Date.now();
      const today = now < dayEndsAt ? current.day : localDay(new Date(now));
      if (today !== current.day && !closed) {
        try {
          const next = openDay(dir, today, onPermissionFixed, fail);
          void endDay(current, writeError !== undefined);
          current = next;
          dayEndsAt = nextLocalMidnight(now);
        } catch (error) {
          fail(`cannot open the traffic file for ${today}: ${(error as Error).message}`);
        }
      }
      try {
        // An exchange can end while the proxy closes, after the file was handed over: it is
        // still written, synchronously, so no record is lost.
        if (closed) {
          appendNoLink(current.file, Buffer.concat([...json, NEWLINE]));
        } else if (!current.writer.writeLine(json)) {
          dropped++;
          return;
        }
        written++;
      } catch (error) {
        fail(`cannot write ${current.file}: ${(error as Error).message}`);
      }
    },
    status() {
      return { file: current.file, recordsWritten: written, ...(dropped ? { recordsDropped: dropped } : {}), ...(writeError !== undefined ? { writeError } : {}) };
    },
    close() {
      closed = true;
      return endDay(current, writeError !== undefined);
    },
  };
}

function nextLocalMidnight(now: number): number {
  const midnight = new Date(now);
  midnight.setHours(24, 0, 0, 0);
  return midnight.getTime();
}

function appendNoLink(file: string, bytes: Buffer): void {
  const fd = fs.openSync(file, APPEND_NO_LINK, 0o600);
  try {
    fs.writeSync(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
}

function openDay(dir: string, day: string, onPermissionFixed: PermissionNotice, fail: (message: string) => void): OpenDay {
  const file = path.join(dir, trafficFileName(day));
  // Opened synchronously so that a folder we cannot write to fails here, with a clear message.
  const fd = openOwnerOnlyFile(file, onPermissionFixed);
  return { day, file, writer: new AppendWriter(fd, MAX_BUFFERED_BYTES, { onError: (error) => fail(`cannot write ${file}: ${error.message}`) }) };
}

function endDay({ writer }: OpenDay, failed: boolean): Promise<void> {
  // After a write error what is pending cannot be written out: drop it rather than wait for it.
  if (!failed) return writer.end();
  writer.destroy();
  return Promise.resolve();
}
