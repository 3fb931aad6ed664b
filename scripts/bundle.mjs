// Bundles the compiled command line (dist/cli) into a few ES module chunks in place.
// Start-up of a Node program with hundreds of small module files is mostly module
// resolution and loading: the bundle starts the proxy in about two thirds of the time.
// Only the bundle stays in dist/cli; tsc's per-module output elsewhere in dist/ is what the
// package's programmatic entry (dist/index.js) imports.
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

// reply-from requires undici's index, which evaluates fetch, WebSocket, the caches, cookies,
// EventSource and the mocks: a third of the code the proxy loads at start, none of it used
// to forward. In the bundle `undici` is this module instead: the same exports, with the
// dispatchers the proxy and reply-from use loaded at once and everything else (fetch,
// request, ...) loaded from the real index the first time it is read.
const UNDICI_AT_ONCE = {
  Dispatcher: 'lib/dispatcher/dispatcher.js',
  Client: 'lib/dispatcher/client.js',
  Pool: 'lib/dispatcher/pool.js',
  BalancedPool: 'lib/dispatcher/balanced-pool.js',
  Agent: 'lib/dispatcher/agent.js',
  ProxyAgent: 'lib/dispatcher/proxy-agent.js',
  buildConnector: 'lib/core/connect.js',
  errors: 'lib/core/errors.js',
};
const undiciExports = Object.keys(createRequire(import.meta.url)('undici'));
const lazyUndiciSource = `'use strict';
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');
// What the index does first: the request methods every dispatcher has.
Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));
const { getGlobalDispatcher, setGlobalDispatcher } = require('undici/lib/global.js');
const atOnce = { getGlobalDispatcher, setGlobalDispatcher, ${Object.entries(UNDICI_AT_ONCE).map(([name, file]) => `${name}: require('undici/${file}')`).join(', ')} };
let whole;
for (const name of ${JSON.stringify(undiciExports)}) {
  if (Object.hasOwn(atOnce, name)) module.exports[name] = atOnce[name];
  else Object.defineProperty(module.exports, name, { enumerable: true, get: () => (whole ??= require('undici/index.js'))[name] });
}
`;
/** @type {import('esbuild').Plugin} */
const lazyUndici = {
  name: 'lazy-undici',
  setup(bundle) {
    bundle.onResolve({ filter: /^undici$/ }, () => ({ path: 'undici', namespace: 'lazy-undici' }));
    bundle.onLoad({ filter: /.*/, namespace: 'lazy-undici' }, () => ({ contents: lazyUndiciSource, loader: 'js', resolveDir: process.cwd() }));
  },
};

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
  plugins: [lazyUndici],
  // Less text for Node to read and parse at every start (about 50 ms of CPU of ~450); names
  // stay as written, so stack traces and function names read as before (the maps map lines).
  minifyWhitespace: true,
  minifySyntax: true,
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
