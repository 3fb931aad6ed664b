#!/usr/bin/env node
// Entry point. Node >= 22.1 can cache compiled modules between runs, which roughly halves
// start-up; it must be switched on before the rest of the program is imported.
import module from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runCommandLine } = await import('./run.js');
await runCommandLine(process.argv.slice(2));
