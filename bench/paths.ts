// Where the benchmark finds the repository and the proxy it measures. The compiled benchmark
// sits in bench/dist/bench/, so the repository root is three folders up from here.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled benchmark's own folder (its child scripts live beside it). */
export const BENCH_DIST_DIR = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(BENCH_DIST_DIR, '..', '..', '..');
/** The command line exactly as `npm run build` leaves it and a user runs it. */
export const CLI_PATH = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
