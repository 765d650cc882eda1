/**
 * A throwaway CA and a server certificate signed by it, for the local ACME server's own HTTPS
 * (pebble serves its API only over TLS, and Debian ships none of its test certificates). Made in
 * memory with WebCrypto: no openssl process, so it is safe next to an in-process dev chain.
 */
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

// x509 types its provider with the DOM's Crypto, which is Node's webcrypto at run time.
const crypto = webcrypto as unknown as NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface LocalTls {
  /** The CA to trust for the server (PEM). */
  caPem: string;
  /** The server's certificate followed by the CA (PEM). */
  certPem: string;
  /** The server's private key (PKCS#8 PEM). */
  keyPem: string;
}

/** A CA and a certificate for `host` (an IP address or a name), valid from an hour ago for `days`. */
export async function makeLocalTls(host: string, days = 365): Promise<LocalTls> {
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(Date.now() + days * DAY_MS);
  const caKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: 'CN=tfgrid local ACME server CA',
      keys: caKeys,
      notBefore,
      notAfter,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      ],
    },
    crypto,
  );
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: `CN=${host}`,
      issuer: ca.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: isIP(host) ? 'ip' : 'dns', value: host }]),
      ],
    },
    crypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  const caPem = `${ca.toString('pem')}\n`;
  return { caPem, certPem: `${cert.toString('pem')}\n${caPem}`, keyPem };
}
