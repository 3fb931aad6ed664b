// The command line: finds the command and turns a UserError into one line and exit status 2.
import { readFileSync } from 'node:fs';
import { UserError } from '../config/errors.js';
import { parseCommandLine } from './args.js';
import type { Command } from './command.js';
import { commandHelp, mainHelp } from './help.js';
import { print, printError } from './output.js';

// Loaded on demand: `start` should not pay for the demo's PKI library or the log readers.
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  start: async () => (await import('./start.js')).startCommand,
  demo: async () => (await import('./demo.js')).demoCommand,
  check: async () => (await import('./check.js')).checkCommand,
  csr: async () => (await import('./csr.js')).csrCommand,
  logs: async () => (await import('./logs.js')).logsCommand,
  har: async () => (await import('./har.js')).harCommand,
  endpoints: async () => (await import('./endpoints.js')).endpointsCommand,
  migrate: async () => (await import('./migrate.js')).migrateCommand,
  fixtures: async () => (await import('./fixtures.js')).fixturesCommand,
  replay: async () => (await import('./replay.js')).replayCommand,
  mock: async () => (await import('./mock.js')).mockCommand,
  openapi: async () => (await import('./openapi.js')).openApiCommand,
  webhooks: async () => (await import('./webhooks.js')).webhooksCommand,

  design: async () => (await import('./design.js')).designCommand,
};
const COMMAND_NAMES = Object.keys(COMMANDS);

function loadCommand(name: string): Promise<Command> | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name]?.() : undefined;
}

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0] === undefined ? undefined : await loadCommand(rest[0]);
    print(topic ? commandHelp(topic) : mainHelp(await Promise.all(Object.values(COMMANDS).map((load) => load()))));
    return 0;
  }
  if (first === '--version' || first === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    print(`${pkg.version}\n`);
    return 0;
  }
  const named = first !== undefined && !first.startsWith('-');
  const command = await loadCommand(named ? first : 'start');
  if (!command) throw new UserError(`Unknown command "${first}". Commands: ${COMMAND_NAMES.join(', ')}. Run "ons-proxy --help".`);
  const parsed = parseCommandLine(command.name, named ? rest : argv, command.options);
  if (parsed.values.help) {
    print(commandHelp(command));
    return 0;
  }
  return command.run(parsed);
}

export function runCommandLine(argv: readonly string[]): Promise<void> {
  return main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UserError) {
        printError(`ons-proxy: ${error.message}\n`);
        process.exitCode = error.exitCode;
        return;
      }
      // Unexpected: keep the message, show the stack only when asked for.
      const detail = process.env.ONS_PROXY_DEBUG ? (error as Error).stack : (error as Error).message;
      printError(`ons-proxy: unexpected error: ${detail}\n(set ONS_PROXY_DEBUG=1 for details, and please report it)\n`);
      process.exitCode = 1;
    },
  );
}
