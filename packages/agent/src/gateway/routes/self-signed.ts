/** A self-signed EC certificate made by openssl: the HTTPS listener's placeholder until a real one is loaded (and tests' certificates). */
import { execFile } from 'node:child_process';

export interface SelfSignedOptions {
  /** DNS names: the first is the subject's CN, all go in subjectAltName. */
  names: string[];
  keyFile: string;
  certFile: string;
  days: number;
}

export function selfSignedCertificate(o: SelfSignedOptions): Promise<void> {
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(o.days)];
  args.push('-subj', `/CN=${o.names[0]}`, '-addext', `subjectAltName=${o.names.map((n) => `DNS:${n}`).join(',')}`);
  args.push('-keyout', o.keyFile, '-out', o.certFile);
  return new Promise<void>((resolve, reject) =>
    execFile('openssl', args, { timeout: 20_000 }, (err: Error | null) => (err ? reject(err) : resolve())),
  );
}
