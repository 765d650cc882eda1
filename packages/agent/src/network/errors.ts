/** Errors of the node's private networks, each with a code (workload reasons, metrics, tests). */
export type NetworkErrorCode = 'invalid' | 'conflict' | 'command-failed' | 'missing-tool';

export class NetworkError extends Error {
  readonly code: NetworkErrorCode;
  constructor(code: NetworkErrorCode, message: string) {
    super(message);
    this.name = 'NetworkError';
    this.code = code;
  }
}
