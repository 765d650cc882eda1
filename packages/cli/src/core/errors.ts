/** The CLI's failures and their exit codes: 2 for bad input, 1 for everything the world refused. */

/** The user's input is wrong (unknown option, bad value, unreadable file): exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The command whose help is worth showing, if any. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** Something outside refused or did not answer (chain, explorer, node, timeout): exit 1. */
export class CliFailure extends Error {
  override name = 'CliFailure';
  constructor(
    message: string,
    /** Structured detail for --json. */
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
