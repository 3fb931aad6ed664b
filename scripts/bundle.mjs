// Bundles the compiled command line (dist/cli) into a few ES module chunks in place.
// Start-up of a Node program with hundreds of small module files is mostly module
// resolution and loading: the bundle starts the proxy in about two thirds of the time.
// tsc's per-module output stays in dist/ beside it (the tests import the sources directly).
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunks of earlier builds (name-HASH.js) would pile up beside the new ones.
for (const name of readdirSync('dist/cli')) {
  if (/-[A-Z0-9]{8}\.js(\.map)?$/.test(name)) rmSync(`dist/cli/${name}`);
}

await build({
  entryPoints: ['dist/cli/main.js'],
  outdir: 'dist/cli',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Dependencies written as CommonJS call require(); an ES module bundle has none of its own.
  banner: { js: "import { createRequire as __ons_proxy_require } from 'node:module'; const require = __ons_proxy_require(import.meta.url);" },
});
