// Every suite makes throwaway folders (certificates with their keys, traffic files, caches)
// with mkdtemp under os.tmpdir(), and not every one removes its own: a few hundred runs left
// thousands of them in /tmp. The whole run gets one folder of its own instead, handed to
// every test process and every proxy they spawn through TMPDIR, and removed when it ends.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const outer = os.tmpdir();
  const run = mkdtempSync(path.join(outer, 'ons-proxy-test-run-'));
  process.env.TMPDIR = run;
  return () => {
    process.env.TMPDIR = outer;
    rmSync(run, { recursive: true, force: true });
  };
}
