/** Certificates for users' own domains by ACME HTTP-01, and a local ACME server (pebble) for tests and the local grid. */
export type { ChallengeResponder, FqdnCertificates, IssuedCertificate } from './types';
export { AcmeCertificates, ACME_DEFAULTS, isDue, type AcmeCertificatesOptions } from './certificates';
export { acmeCertificatesFromConfig } from './setup';
export { AcmeError, type AcmeErrorCode } from './errors';
export { checkFqdn, MAX_FQDN_LENGTH } from './fqdn';
export { AcmeStore, ACCOUNT_KEY, CERT_FILE, KEY_FILE, ISSUER_FILE, type StoredCertificate } from './store';
export { startLocalAcmeServer, freePortOn, type LocalAcmeServer, type LocalAcmeServerOptions, type LocalAcmePorts } from './local-server';
export { makeLocalTls, type LocalTls } from './local-tls';
