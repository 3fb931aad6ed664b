// Records go to the file of the local day they were written on: a proxy that runs past
// midnight starts the next day's file, and the earlier day's file keeps what it had.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTrafficFileSink } from '../../src/traffic/file-sink.js';
import { localDay, trafficFileName } from '../../src/traffic/files.js';

let folder: string | undefined;

afterEach(async () => {
  vi.useRealTimers();
  if (folder) await rm(folder, { recursive: true, force: true });
});

describe('the traffic file', () => {
  it('starts the next day file once the clock passes local midnight', async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'ons-proxy-days-'));
    const evening = new Date(2026, 11, 7, 23, 59, 58);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(evening);
    const sink = openTrafficFileSink(folder, () => undefined, () => undefined);
    sink.write([Buffer.from('{"id":"before midnight"}')]);
    vi.setSystemTime(new Date(2026, 11, 7, 23, 59, 59, 999));
    sink.write([Buffer.from('{"id":"last of the day"}')]);
    vi.setSystemTime(new Date(2026, 11, 8, 0, 0, 0, 1));
    sink.write([Buffer.from('{"id":"after midnight"}')]);
    await sink.close();

    const first = path.join(folder, trafficFileName(localDay(evening)));
    const second = path.join(folder, trafficFileName(localDay(new Date(2026, 11, 8, 12))));
    expect((await readdir(folder)).sort()).toEqual([path.basename(first), path.basename(second)].sort());
    expect(await readFile(first, 'utf8')).toBe('{"id":"before midnight"}\n{"id":"last of the day"}\n');
    expect(await readFile(second, 'utf8')).toBe('{"id":"after midnight"}\n');
  });
});
