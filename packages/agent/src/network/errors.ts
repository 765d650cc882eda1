/** Errors of the node's private networks, each with a code (workload reasons, metrics, tests). */
import { CodedError } from '../core/coded-error';
export type NetworkErrorCode = 'invalid' | 'conflict' | 'command-failed' | 'missing-tool';

export class NetworkError extends CodedError<NetworkErrorCode> {}
