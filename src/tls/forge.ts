import { createRequire } from 'node:module';
import type forge from 'node-forge';

let loaded: typeof forge | undefined;

/**
 * node-forge is only needed to read PKCS#12 files and to write CSRs; loading it lazily
 * keeps it off the start path of a proxy that uses PEM files.
 */
export function loadForge(): typeof forge {
  loaded ??= createRequire(import.meta.url)('node-forge') as typeof forge;
  return loaded;
}
