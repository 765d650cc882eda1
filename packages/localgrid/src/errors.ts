/** Errors of the local grid carry a code, so callers (npm start, tests) can tell them apart. */
export type LocalGridErrorCode =
  'bad-option' | 'subnet-busy' | 'command-failed' | 'agent-exited' | 'timeout' | 'aborted' | 'chain-refused' | 'stale-data';

export class LocalGridError extends Error {
  constructor(
    readonly code: LocalGridErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LocalGridError';
  }
}
