/**
 * Where the HTTPS side gets the node domain's certificate: a directory with one wildcard
 * certificate (the farmer's, by DNS-01), handed to HAProxy as one PEM and again on every renewal.
 * Own domains' certificates come from ACME (./acme).
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';

export interface CertificateStatus {
  loaded: boolean;
  subject?: string;
  validTo?: string;
  error?: string;
}

export interface CertificateSource {
  /** Loads what it needs and starts watching (called by Gateway.start). */
  start?(): Promise<void>;
  close?(): void;
  status?(): CertificateStatus;
  /** The certificate chain and its key as one PEM (what HAProxy loads), once loaded. */
  pem(): string | undefined;
  /** Called after each (re)load of a new certificate. */
  onChange?(f: () => void): void;
}

export interface DirectoryCertificateOptions {
  /** Holds fullchain.pem and privkey.pem. */
  dir: string;
  logger?: Logger;
  /** How often the files are checked for changes (fs.watchFile polls: it survives renames and symlink swaps, which is how certbot renews). 0 = never. */
  watchIntervalMs?: number;
}

export const FULLCHAIN = 'fullchain.pem';
export const PRIVKEY = 'privkey.pem';

/** One certificate (a wildcard for the gateway's domain) from a directory; reloaded when its files change. */
export class DirectoryCertificateSource implements CertificateSource {
  readonly #dir: string;
  readonly #log: Logger | undefined;
  readonly #interval: number;
  #pem: string | undefined;
  readonly #listeners: (() => void)[] = [];
  #status: CertificateStatus = { loaded: false };
  #watching = false;
  readonly #onChange = (): void => void this.reload();

  constructor(o: DirectoryCertificateOptions) {
    this.#dir = o.dir;
    this.#log = o.logger?.child({ module: 'gateway-certs' });
    this.#interval = o.watchIntervalMs ?? 10_000;
  }

  async start(): Promise<void> {
    this.reload();
    if (this.#interval > 0 && !this.#watching) {
      this.#watching = true;
      for (const f of [FULLCHAIN, PRIVKEY])
        watchFile(path.join(this.#dir, f), { interval: this.#interval, persistent: false }, this.#onChange);
    }
  }

  /** Reads both files; keeps the previous certificate if the new pair does not load (half-written renewal). */
  reload(): boolean {
    try {
      const cert = readFileSync(path.join(this.#dir, FULLCHAIN));
      const key = readFileSync(path.join(this.#dir, PRIVKEY));
      // Refuses a key that does not match the chain (a half-written renewal) before HAProxy sees it.
      tls.createSecureContext({ cert, key });
      const x = new X509Certificate(cert);
      this.#pem = `${cert.toString().trimEnd()}\n${key.toString().trimEnd()}\n`;
      this.#status = { loaded: true, subject: x.subject, validTo: x.validTo };
      this.#log?.info({ dir: this.#dir, subject: x.subject, validTo: x.validTo }, 'gateway certificate loaded');
      for (const f of this.#listeners) f();
      return true;
    } catch (e) {
      this.#status = { ...this.#status, error: (e as Error).message };
      this.#log?.warn({ dir: this.#dir, err: (e as Error).message }, 'gateway certificate not loaded');
      return false;
    }
  }

  pem(): string | undefined {
    return this.#pem;
  }

  onChange(f: () => void): void {
    this.#listeners.push(f);
  }

  close(): void {
    if (!this.#watching) return;
    this.#watching = false;
    for (const f of [FULLCHAIN, PRIVKEY]) unwatchFile(path.join(this.#dir, f), this.#onChange);
  }

  status(): CertificateStatus {
    return { ...this.#status, loaded: this.#pem !== undefined };
  }
}
