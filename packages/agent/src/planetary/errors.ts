/** Errors of the planetary overlay, each with a code a caller (or a metric) can branch on. */
import { CodedError } from '../core/coded-error';
export type PlanetaryErrorCode =
  'missing-binary' | 'bad-config' | 'admin-unreachable' | 'admin-refused' | 'admin-timeout' | 'admin-too-large' | 'exited' | 'route-failed';

export class PlanetaryError extends CodedError<PlanetaryErrorCode> {}
