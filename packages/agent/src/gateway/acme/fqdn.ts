/**
 * The names a user may ask a certificate for: a plain DNS name as it is sent to the CA (RFC 1035
 * letters, digits and hyphens, lowercase, at most 253 characters, labels of 1-63, at least two
 * labels, a top-level label that is not all digits, so no IP address); no wildcard (wildcards
 * need DNS-01, which stays the farmer's), no trailing dot.
 */
import { AcmeError } from './errors';

export const MAX_FQDN_LENGTH = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Returns the name unchanged when it is acceptable, else throws AcmeError('EACMEFQDN') saying why. */
export function checkFqdn(fqdn: unknown): string {
  const bad = (why: string): never => {
    throw new AcmeError('EACMEFQDN', `'${String(fqdn).slice(0, 80)}' is not a domain a certificate can be ordered for: ${why}`);
  };
  if (typeof fqdn !== 'string') return bad('not a string');
  if (fqdn.length === 0) return bad('empty');
  if (fqdn.length > MAX_FQDN_LENGTH) return bad(`longer than ${MAX_FQDN_LENGTH} characters`);
  if (fqdn.includes('*')) return bad('wildcards are not issued by HTTP-01');
  if (fqdn !== fqdn.toLowerCase()) return bad('must be lowercase');
  if (fqdn.endsWith('.')) return bad('no trailing dot');
  const labels = fqdn.split('.');
  if (labels.length < 2) return bad('needs at least two labels');
  for (const l of labels) {
    if (l.length === 0) return bad('empty label');
    if (l.length > 63) return bad('a label is longer than 63 characters');
    if (!LABEL.test(l)) return bad(`label '${l.slice(0, 63)}' may hold only a-z, 0-9 and inner hyphens`);
  }
  if (/^[0-9]+$/.test(labels.at(-1)!)) return bad('the top-level label is all digits (an IP address is not a domain)');
  return fqdn;
}
