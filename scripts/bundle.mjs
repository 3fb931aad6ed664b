// Bundles the compiled command line (dist/cli) into a few ES module chunks in place.
// Start-up of a Node program with hundreds of small module files is mostly module
// resolution and loading: the bundle starts the proxy in about two thirds of the time.
// Only the bundle stays in dist/cli; tsc's per-module output elsewhere in dist/ is what the
// package's programmatic entry (dist/index.js) imports.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const result = await build({
  // The JSON check thread is started from a file beside the chunk that starts it.
  entryPoints: ['dist/cli/main.js', { in: 'dist/traffic/json-check-worker.js', out: 'json-check-worker' }],
  outdir: 'dist/cli',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
  // Dependencies written as CommonJS call require(); an ES module bundle has none of its own.
  banner: { js: "import { createRequire as __ons_proxy_require } from 'node:module'; const require = __ons_proxy_require(import.meta.url);" },
});

// tsc's modules of the command line are inside the bundle now: shipping them too would only
// make the package bigger.
const bundled = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(file)));
for (const name of readdirSync('dist/cli')) {
  const file = path.resolve('dist/cli', name);
  if (!bundled.has(file) && !bundled.has(file.replace(/\.map$/, ''))) rmSync(file);
}
