/**
 * Certificates for users' own domains (`gateway-fqdn-proxy`), obtained by ACME HTTP-01 with
 * acme-client. `ensure(fqdn)` answers from the store when it holds a valid certificate of this
 * CA, else orders one (at most `maxConcurrentOrders` at a time, each bounded by `orderTimeoutMs`);
 * the ChallengeResponder (the gateway's HTTP side) serves the token while the CA checks it. A name
 * stays tracked until `release(fqdn)`: the renewal loop (`start`/`stop`) renews its certificate
 * inside the renewal window and retries a name whose order failed, after a backoff that doubles
 * per failure, so a domain not (yet) pointed at the node does not hammer the CA. Every issued
 * certificate — first or renewed — goes to the `onIssued` listeners.
 */
import * as acme from 'acme-client';
import type { Logger } from 'pino';
import { trustForAcmeApi } from './api-trust';
import { AcmeError } from './errors';
import { checkFqdn } from './fqdn';
import { AcmeStore, type StoredCertificate } from './store';
import type { ChallengeResponder, FqdnCertificates, IssuedCertificate } from './types';

export interface AcmeCertificatesOptions {
  /** The CA's ACME directory URL. */
  directoryUrl: string;
  /** PEM: the CAs trusted for the ACME API's HTTPS instead of the system's (a local pebble's). */
  caPem?: string | Buffer;
  /** The agent's data directory: the store is `<dataDir>/gateway/acme/`. */
  dataDir: string;
  /** The account's contact (mailto:), optional. */
  email?: string;
  responder: ChallengeResponder;
  logger?: Logger;
  /** Renew this long before expiry, at most a third of the certificate's lifetime (default 30 days). */
  renewBeforeMs?: number;
  /** How often the renewal loop looks (default 1 h). */
  checkIntervalMs?: number;
  /** Names this node holds certificates for, at most (default 256). */
  maxNames?: number;
  /** Orders in flight at once, at most (default 2). */
  maxConcurrentOrders?: number;
  /** Bound on one order, from placing it to the certificate downloaded (default 120 s). */
  orderTimeoutMs?: number;
  /** After a failed order the name waits this long, doubled per further failure … (default 60 s) */
  retryMinMs?: number;
  /** … up to this (default 6 h). */
  retryMaxMs?: number;
  /** First wait when polling an authorization or an order; doubles up to 10× (default 1 s). */
  pollMs?: number;
  /** Bound on one HTTP request to the CA (default 30 s). */
  requestTimeoutMs?: number;
}

const DAY_MS = 86_400_000;
export const ACME_DEFAULTS = {
  renewBeforeMs: 30 * DAY_MS,
  checkIntervalMs: 3_600_000,
  maxNames: 256,
  maxConcurrentOrders: 2,
  orderTimeoutMs: 120_000,
  retryMinMs: 60_000,
  retryMaxMs: 6 * 3_600_000,
  pollMs: 1000,
  requestTimeoutMs: 30_000,
} as const;

interface NameState {
  cert?: StoredCertificate;
  order?: { promise: Promise<StoredCertificate>; abort: Abort };
  failures: number;
  retryAt?: number;
  lastError?: AcmeError;
}

/** Ends an order early (release, stop, timeout): `aborted` rejects at once, the exchange stops at its next step. */
class Abort {
  reason: AcmeError | undefined;
  readonly aborted: Promise<never>;
  #reject!: (e: AcmeError) => void;

  constructor() {
    this.aborted = new Promise<never>((_, reject) => (this.#reject = reject));
    this.aborted.catch(() => undefined);
  }

  abort(reason: AcmeError): void {
    if (this.reason) return;
    this.reason = reason;
    this.#reject(reason);
  }
}

export class AcmeCertificates implements FqdnCertificates {
  readonly #o: Required<Omit<AcmeCertificatesOptions, 'caPem' | 'email' | 'logger'>> & Pick<AcmeCertificatesOptions, 'email'>;
  readonly #log: Logger | undefined;
  readonly #store: AcmeStore;
  readonly #names = new Map<string, NameState>();
  readonly #listeners: ((c: IssuedCertificate) => void)[] = [];
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  /** Exchanges with the CA not ended yet (an aborted one runs on to its next step). */
  readonly #exchanges = new Set<Promise<unknown>>();
  #client: Promise<acme.Client> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(o: AcmeCertificatesOptions) {
    const positive = (v: number | undefined, def: number, what: string): number => {
      const n = v ?? def;
      if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${what} must be a positive integer, got ${v}`);
      return n;
    };
    const directory = new URL(o.directoryUrl);
    if (directory.protocol !== 'https:') throw new RangeError(`the ACME directory must be https://, got ${o.directoryUrl}`);
    if (o.email !== undefined && !/^[^\s@<>]{1,64}@[^\s@<>]{1,255}$/.test(o.email))
      throw new RangeError(`not an e-mail address for the ACME account: ${o.email.slice(0, 80)}`);
    this.#o = {
      directoryUrl: directory.href,
      dataDir: o.dataDir,
      responder: o.responder,
      ...(o.email !== undefined ? { email: o.email } : {}),
      renewBeforeMs: positive(o.renewBeforeMs, ACME_DEFAULTS.renewBeforeMs, 'renewBeforeMs'),
      checkIntervalMs: positive(o.checkIntervalMs, ACME_DEFAULTS.checkIntervalMs, 'checkIntervalMs'),
      maxNames: positive(o.maxNames, ACME_DEFAULTS.maxNames, 'maxNames'),
      maxConcurrentOrders: positive(o.maxConcurrentOrders, ACME_DEFAULTS.maxConcurrentOrders, 'maxConcurrentOrders'),
      orderTimeoutMs: positive(o.orderTimeoutMs, ACME_DEFAULTS.orderTimeoutMs, 'orderTimeoutMs'),
      retryMinMs: positive(o.retryMinMs, ACME_DEFAULTS.retryMinMs, 'retryMinMs'),
      retryMaxMs: positive(o.retryMaxMs, ACME_DEFAULTS.retryMaxMs, 'retryMaxMs'),
      pollMs: positive(o.pollMs, ACME_DEFAULTS.pollMs, 'pollMs'),
      requestTimeoutMs: positive(o.requestTimeoutMs, ACME_DEFAULTS.requestTimeoutMs, 'requestTimeoutMs'),
    };
    this.#log = o.logger?.child({ module: 'gateway-acme' });
    this.#store = new AcmeStore(o.dataDir);
    trustForAcmeApi(this.#o.directoryUrl, o.caPem, this.#o.requestTimeoutMs);
  }

  get storeDir(): string {
    return this.#store.dir;
  }

  onIssued(f: (c: IssuedCertificate) => void): void {
    this.#listeners.push(f);
  }

  /** The names tracked now, with their certificate's expiry and the next retry after a failure. */
  names(): { fqdn: string; notAfter?: Date; retryAt?: Date; error?: string }[] {
    return [...this.#names].map(([fqdn, s]) => ({
      fqdn,
      ...(s.cert ? { notAfter: s.cert.notAfter } : {}),
      ...(s.retryAt ? { retryAt: new Date(s.retryAt) } : {}),
      ...(s.lastError ? { error: s.lastError.message } : {}),
    }));
  }

  async ensure(fqdn: string): Promise<IssuedCertificate> {
    checkFqdn(fqdn);
    let s = this.#names.get(fqdn);
    if (!s) {
      if (this.#names.size >= this.#o.maxNames)
        throw new AcmeError(
          'EACMENAMES',
          `this node holds certificates for ${this.#names.size} names already (at most ${this.#o.maxNames}); '${fqdn}' is refused`,
        );
      s = { failures: 0 };
      this.#names.set(fqdn, s);
    }
    if (s.cert && s.cert.notAfter.getTime() > Date.now()) return publicView(s.cert);
    const stored = this.#store.load(fqdn, this.#o.directoryUrl);
    if (stored) {
      s.cert = stored;
      this.#log?.debug({ fqdn, notAfter: stored.notAfter }, 'own-domain certificate from the store');
      return publicView(stored);
    }
    return publicView(await this.#order(fqdn, s));
  }

  async release(fqdn: string): Promise<void> {
    checkFqdn(fqdn);
    const s = this.#names.get(fqdn);
    this.#names.delete(fqdn);
    if (s?.order) {
      s.order.abort.abort(new AcmeError('EACMERELEASED', `'${fqdn}' was released while its certificate was being ordered`));
      await s.order.promise.catch(() => undefined);
    }
    this.#store.remove(fqdn);
    this.#log?.info({ fqdn }, 'own-domain certificate released');
  }

  /** Starts the renewal loop (checks at once, then every `checkIntervalMs`). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.renewDue(), this.#o.checkIntervalMs);
    this.#timer.unref();
    this.renewDue();
  }

  /**
   * Stops the loop and aborts the orders in flight (EACMERELEASED); resolves once their exchanges
   * have ended (after at most the request each has in flight) and withdrawn their answers. A
   * later ensure() still orders.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const s of this.#names.values()) s.order?.abort.abort(new AcmeError('EACMERELEASED', 'the own-domain certificates were stopped'));
    await Promise.all([...this.#exchanges]);
  }

  /** One pass of the loop: orders for the names whose certificate is due (or missing) and whose backoff is over. */
  renewDue(now = Date.now()): void {
    for (const [fqdn, s] of this.#names) {
      if (s.order || (s.retryAt !== undefined && now < s.retryAt)) continue;
      if (s.cert && !isDue(s.cert, this.#o.renewBeforeMs, now)) continue;
      this.#order(fqdn, s).catch(() => undefined); // logged and kept in the name's state
    }
  }

  #order(fqdn: string, s: NameState): Promise<StoredCertificate> {
    if (s.order) return s.order.promise;
    if (s.retryAt !== undefined && Date.now() < s.retryAt) {
      const retryAt = new Date(s.retryAt);
      return Promise.reject(
        new AcmeError(
          'EACMEBACKOFF',
          `no new order for '${fqdn}' before ${retryAt.toISOString()} (last: ${s.lastError?.message ?? 'failed'})`,
          retryAt,
        ),
      );
    }
    const abort = new Abort();
    const promise = this.#bounded(fqdn, abort)
      .then((cert) => {
        s.cert = cert;
        s.failures = 0;
        delete s.retryAt;
        delete s.lastError;
        this.#log?.info({ fqdn, notAfter: cert.notAfter, serial: cert.serial }, 'own-domain certificate issued');
        for (const f of this.#listeners) {
          try {
            f(publicView(cert));
          } catch (e) {
            this.#log?.warn({ fqdn, err: (e as Error).message }, 'onIssued listener failed');
          }
        }
        return cert;
      })
      .catch((e: unknown) => {
        const err =
          e instanceof AcmeError ? e : new AcmeError('EACMEORDER', `ordering a certificate for '${fqdn}' failed: ${(e as Error).message}`);
        if (err.code !== 'EACMERELEASED') {
          s.failures += 1;
          s.retryAt = Date.now() + Math.min(this.#o.retryMaxMs, this.#o.retryMinMs * 2 ** Math.min(30, s.failures - 1));
          s.lastError = err;
          this.#log?.warn(
            { fqdn, code: err.code, err: err.message, failures: s.failures, retryAt: new Date(s.retryAt) },
            'own-domain certificate order failed',
          );
        }
        throw err;
      })
      .finally(() => {
        if (s.order?.promise === promise) delete s.order;
      });
    s.order = { promise, abort };
    return promise;
  }

  /**
   * One order under the concurrency bound and the timeout. An aborted order answers at once; its
   * exchange stops at its next step (withdrawing a published answer) and writes nothing.
   */
  async #bounded(fqdn: string, abort: Abort): Promise<StoredCertificate> {
    const run = (async () => {
      await this.#slot();
      // The bound is on the exchange; the slot is held until it has ended, so aborted exchanges cannot pile up on the CA.
      const timer = setTimeout(
        () =>
          abort.abort(
            new AcmeError('EACMETIMEOUT', `the certificate order for '${fqdn}' did not finish within ${this.#o.orderTimeoutMs} ms`),
          ),
        this.#o.orderTimeoutMs,
      );
      try {
        return await this.#run(fqdn, abort);
      } finally {
        clearTimeout(timer);
        this.#release();
      }
    })();
    const ended = run.catch(() => undefined); // once aborted, its outcome is of no interest; only its end
    this.#exchanges.add(ended);
    void ended.then(() => this.#exchanges.delete(ended));
    return Promise.race([run, abort.aborted]);
  }

  /**
   * The ACME exchange: order, HTTP-01 for each pending authorization, finalize, download, store.
   * It polls the CA itself (sleeps that an abort cuts short), so an aborted exchange ends after at
   * most the request in flight.
   */
  async #run(fqdn: string, abort: Abort): Promise<StoredCertificate> {
    const step = (): void => {
      if (abort.reason) throw abort.reason;
    };
    const client = await this.#account();
    step();
    const key = this.#store.key(fqdn) ?? (await acme.crypto.createPrivateEcdsaKey('P-256'));
    const [, csr] = await acme.crypto.createCsr({ commonName: fqdn, altNames: [fqdn] }, key);
    step();
    let order = await client.createOrder({ identifiers: [{ type: 'dns', value: fqdn }] });
    step();
    for (const authz of await client.getAuthorizations(order)) {
      step();
      if (authz.status === 'valid') continue; // the CA reused an earlier validation
      const challenge = authz.challenges.find((c) => c.type === 'http-01');
      if (!challenge)
        throw new AcmeError(
          'EACMEORDER',
          `the CA offers no http-01 challenge for '${fqdn}' (offered: ${authz.challenges.map((c) => c.type).join(', ') || 'none'})`,
        );
      const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
      await this.#o.responder.publish(challenge.token, keyAuthorization);
      try {
        step();
        await client.completeChallenge(challenge);
        const one = { ...order, authorizations: [authz.url] };
        await this.#poll(
          abort,
          async () => (await client.getAuthorizations(one))[0]!,
          ['valid'],
          ['pending'],
          (a) =>
            `the CA could not validate '${fqdn}' by HTTP-01 (is the domain pointed at this gateway?): authorization ${a.status}${problemOf(a)}`,
        );
      } finally {
        await this.#o.responder
          .withdraw(challenge.token)
          .catch((e: Error) => this.#log?.warn({ fqdn, err: e.message }, 'withdrawing an HTTP-01 answer failed'));
      }
    }
    step();
    order = await this.#poll(
      abort,
      () => client.getOrder(order),
      ['ready', 'valid'],
      ['pending'],
      (o) => `the order for '${fqdn}' is ${o.status}${problemOf(o)}`,
    );
    if (order.status === 'ready') order = await client.finalizeOrder(order, csr);
    step();
    order = await this.#poll(
      abort,
      () => client.getOrder(order),
      ['valid'],
      ['processing', 'ready'],
      (o) => `the CA did not issue the certificate for '${fqdn}': order ${o.status}${problemOf(o)}`,
    );
    const chain = await client.getCertificate(order);
    step(); // nothing is written for an order released or timed out meanwhile
    return this.#store.save(fqdn, this.#o.directoryUrl, key, chain);
  }

  /** GETs an ACME object until its status is one of `done` (returned) or not one of `pending` (EACMEORDER with `failed`'s message); waits pollMs, doubling up to 10×. */
  async #poll<T extends { status: string }>(
    abort: Abort,
    get: () => Promise<T>,
    done: string[],
    pending: string[],
    failed: (v: T) => string,
  ): Promise<T> {
    let wait = this.#o.pollMs;
    for (;;) {
      const v = await get();
      if (abort.reason) throw abort.reason;
      if (done.includes(v.status)) return v;
      if (!pending.includes(v.status)) throw new AcmeError('EACMEORDER', failed(v));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((r) => (timer = setTimeout(r, wait))), abort.aborted]).finally(() => clearTimeout(timer));
      wait = Math.min(wait * 2, this.#o.pollMs * 10);
    }
  }

  /** The ACME client with the stored account key; the account is registered (or found) once per process. */
  #account(): Promise<acme.Client> {
    this.#client ??= (async () => {
      const accountKey = await this.#store.accountKey(() => acme.crypto.createPrivateEcdsaKey('P-256'));
      const client = new acme.Client({ directoryUrl: this.#o.directoryUrl, accountKey });
      await client.createAccount({ termsOfServiceAgreed: true, ...(this.#o.email ? { contact: [`mailto:${this.#o.email}`] } : {}) });
      this.#log?.info({ directoryUrl: this.#o.directoryUrl, account: client.getAccountUrl() }, 'ACME account ready');
      return client;
    })();
    // A failed registration is tried again by the next order.
    this.#client.catch(() => (this.#client = undefined));
    return this.#client;
  }

  async #slot(): Promise<void> {
    while (this.#running >= this.#o.maxConcurrentOrders) await new Promise<void>((r) => this.#waiting.push(r));
    this.#running += 1;
  }

  #release(): void {
    this.#running -= 1;
    this.#waiting.shift()?.();
  }
}

/** Inside the renewal window: `renewBeforeMs` before expiry, but at most a third of the lifetime (short-lived certificates are not renewed at once). */
export function isDue(c: { notBefore: Date; notAfter: Date }, renewBeforeMs: number, now = Date.now()): boolean {
  const lifetime = c.notAfter.getTime() - c.notBefore.getTime();
  return c.notAfter.getTime() - now <= Math.min(renewBeforeMs, lifetime / 3);
}

/** The CA's problem detail on an order, or on an authorization's challenges (RFC 8555 §6.7), as `: detail`. */
function problemOf(v: { error?: object; challenges?: { error?: object }[] }): string {
  const detail = (e: object | undefined): string | undefined => {
    const d = (e as { detail?: unknown } | undefined)?.detail;
    return typeof d === 'string' ? d.replace(/\s+/g, ' ').slice(0, 500) : undefined;
  };
  const found = detail(v.error) ?? v.challenges?.map((c) => detail(c.error)).find((d) => d !== undefined);
  return found ? `: ${found}` : '';
}

function publicView(c: StoredCertificate): IssuedCertificate {
  return { fqdn: c.fqdn, certPath: c.certPath, keyPath: c.keyPath, notAfter: c.notAfter };
}
