import type { OptionSpecs, ParsedCommandLine } from './args.js';

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** e.g. "ons-proxy logs [options]" */
  readonly usage: string;
  /** Whether the command reads the proxy configuration (then every setting flag applies). */
  readonly readsSettings: boolean;
  readonly options: OptionSpecs;
  /** Help lines for the command's own options: [flag with argument, description]. */
  readonly optionHelp: ReadonlyArray<readonly [string, string]>;
  /** Resolves with the exit code; a server command resolves when it has shut down. */
  run(parsed: ParsedCommandLine): Promise<number>;
}
