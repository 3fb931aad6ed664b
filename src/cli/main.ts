#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { UserError } from '../config/errors.js';
import { parseCommandLine } from './args.js';
import type { Command } from './command.js';
import { commandHelp, mainHelp } from './help.js';
import { startCommand } from './start.js';
import { demoCommand } from './demo.js';
import { endpointsCommand } from './endpoints.js';
import { logsCommand } from './logs.js';
import { harCommand } from './har.js';
import { checkCommand } from './check.js';
import { csrCommand } from './csr.js';

const COMMANDS: readonly Command[] = [startCommand, demoCommand, endpointsCommand, checkCommand, csrCommand, logsCommand, harCommand];

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    process.stdout.write(topic ? commandHelp(topic) : mainHelp(COMMANDS));
    return 0;
  }
  if (first === '--version' || first === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const named = first !== undefined && !first.startsWith('-');
  const command = named ? COMMANDS.find((c) => c.name === first) : startCommand;
  if (!command) throw new UserError(`Unknown command "${first}". Commands: ${COMMANDS.map((c) => c.name).join(', ')}. Run "ons-proxy --help".`);
  const parsed = parseCommandLine(command.name, named ? rest : argv, command.options);
  if (parsed.values.help) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  return command.run(parsed);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UserError) {
      process.stderr.write(`ons-proxy: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    // Unexpected: keep the message, show the stack only when asked for.
    const detail = process.env.ONS_PROXY_DEBUG ? (error as Error).stack : (error as Error).message;
    process.stderr.write(`ons-proxy: unexpected error: ${detail}\n(set ONS_PROXY_DEBUG=1 for details, and please report it)\n`);
    process.exitCode = 1;
  },
);
