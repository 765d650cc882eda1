/** Errors of the namespace hosts carry a code, so callers (localgrid, tests) can tell them apart. */
export type NetnsErrorCode = 'bad-option' | 'command-failed';

export class NetnsError extends Error {
  constructor(
    readonly code: NetnsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NetnsError';
  }
}
