/** Errors of the planetary overlay, each with a code a caller (or a metric) can branch on. */
export type PlanetaryErrorCode = 'missing-binary' | 'bad-config' | 'admin-unreachable' | 'admin-refused' | 'admin-timeout' | 'admin-too-large' | 'exited' | 'route-failed';

export class PlanetaryError extends Error {
  readonly code: PlanetaryErrorCode;
  constructor(code: PlanetaryErrorCode, message: string) {
    super(message);
    this.name = 'PlanetaryError';
    this.code = code;
  }
}
