/** Serves HTTP-01 answers: GET /.well-known/acme-challenge/<token> on any name → keyAuthorization. */
export interface ChallengeResponder {
  publish(token: string, keyAuthorization: string): Promise<void>;
  withdraw(token: string): Promise<void>;
}
export interface IssuedCertificate {
  fqdn: string;
  certPath: string;
  keyPath: string;
  notAfter: Date;
}
/** Obtains and renews certificates for own domains; emits every (re)issued certificate. */
export interface FqdnCertificates {
  ensure(fqdn: string): Promise<IssuedCertificate>;
  release(fqdn: string): Promise<void>;
  onIssued(f: (c: IssuedCertificate) => void): void;
  /** Starts renewing (called by Gateway.start). */
  start?(): void;
  /** Stops renewing and aborts orders in flight (called by Gateway.stop). */
  stop?(): Promise<void>;
}
