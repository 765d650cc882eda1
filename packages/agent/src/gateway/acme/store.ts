/**
 * Where the own-domain certificates live: `<dataDir>/gateway/acme/` (0700) holds the account key
 * and `certs/<fqdn>/` per name — `privkey.pem`, `fullchain.pem` and `issuer.json` (the ACME
 * directory that issued it), every file 0600 and written atomically (the client's writeFileAtomic).
 * A name keeps its key across renewals, so a renewal replaces one file (the chain) and a reader
 * never sees a key and a certificate that do not belong together. Nothing is written for an
 * order that did not complete.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@tfgrid/client';
import type { IssuedCertificate } from './types';

export const ACCOUNT_KEY = 'account.key';
export const CERT_FILE = 'fullchain.pem';
export const KEY_FILE = 'privkey.pem';
export const ISSUER_FILE = 'issuer.json';

/** A certificate as stored, with what renewal needs beyond IssuedCertificate. */
export interface StoredCertificate extends IssuedCertificate {
  notBefore: Date;
  serial: string;
}

export class AcmeStore {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'gateway', 'acme');
  }

  /** The account key (PEM), made by `create` and stored 0600 the first time. */
  async accountKey(create: () => Promise<Buffer>): Promise<Buffer> {
    const file = path.join(this.dir, ACCOUNT_KEY);
    if (existsSync(file)) return readFileSync(file);
    const key = await create();
    this.#mkdir(this.dir);
    writeFileAtomic(file, key, { exclusive: true });
    return key;
  }

  /** The name's stored key, if any (kept across renewals). */
  key(fqdn: string): Buffer | undefined {
    const file = path.join(this.#certDir(fqdn), KEY_FILE);
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  /**
   * The stored certificate for `fqdn` when it is usable: issued by `directoryUrl`, for this name,
   * matching the stored key, not expired. Anything else (missing, torn, foreign) is undefined.
   */
  load(fqdn: string, directoryUrl: string, now = Date.now()): StoredCertificate | undefined {
    const dir = this.#certDir(fqdn);
    try {
      const issuer = JSON.parse(readFileSync(path.join(dir, ISSUER_FILE), 'utf8')) as { directoryUrl?: unknown };
      if (issuer.directoryUrl !== directoryUrl) return undefined;
      const chain = readFileSync(path.join(dir, CERT_FILE));
      const key = readFileSync(path.join(dir, KEY_FILE));
      const stored = describe(fqdn, dir, chain);
      if (!new X509Certificate(chain).checkPrivateKey(createPrivateKey(key))) return undefined;
      if (stored.notAfter.getTime() <= now || new X509Certificate(chain).checkHost(fqdn) !== fqdn) return undefined;
      return stored;
    } catch {
      return undefined;
    }
  }

  /** Stores a newly issued chain (and the key, when it is new) for `fqdn`. */
  save(fqdn: string, directoryUrl: string, key: Buffer, chain: string): StoredCertificate {
    const dir = this.#certDir(fqdn);
    this.#mkdir(path.join(this.dir, 'certs'));
    this.#mkdir(dir);
    const keyFile = path.join(dir, KEY_FILE);
    if (!existsSync(keyFile) || !readFileSync(keyFile).equals(key)) writeFileAtomic(keyFile, key);
    writeFileAtomic(path.join(dir, CERT_FILE), chain);
    writeFileAtomic(path.join(dir, ISSUER_FILE), JSON.stringify({ directoryUrl }));
    return describe(fqdn, dir, Buffer.from(chain));
  }

  /** Forgets the name: its directory goes. */
  remove(fqdn: string): void {
    rmSync(this.#certDir(fqdn), { recursive: true, force: true });
  }

  #certDir(fqdn: string): string {
    // fqdn is checked (checkFqdn) before it gets here: a-z0-9.- only, so it cannot leave certs/.
    return path.join(this.dir, 'certs', fqdn);
  }

  #mkdir(dir: string): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

/** The leaf's dates and serial, and where its files are. */
export function describe(fqdn: string, dir: string, chain: Buffer): StoredCertificate {
  const x = new X509Certificate(chain);
  return {
    fqdn,
    certPath: path.join(dir, CERT_FILE),
    keyPath: path.join(dir, KEY_FILE),
    notAfter: new Date(x.validTo),
    notBefore: new Date(x.validFrom),
    serial: x.serialNumber,
  };
}
