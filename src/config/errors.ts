/**
 * A mistake the user can fix: the CLI prints its message as one line and exits with
 * status 2, without a stack trace. Throw it only with a message that says what is wrong
 * and how to fix it.
 */
export class UserError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A setting is missing, malformed or contradicts another. */
export class ConfigError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'ConfigError';
  }
}
