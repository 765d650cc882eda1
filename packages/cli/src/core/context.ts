/**
 * What a command gets: where to write, progress on stderr, and lazily a chain client (read-only
 * or signing) and the explorer's URL — so commands that need neither never connect.
 */
import type { KeyringPair, KeyType, NetworkName, TfchainClient } from '@tfgrid/client';
import { CliFailure, UsageError } from './errors';
import type { Io } from './io';
import { resolveKey } from './key';

/**
 * The chain client, loaded on first use: @polkadot takes seconds to load, and help or bad input
 * need none of it. `require`, not `import()`: the bin runs TypeScript through tsx's CommonJS hook.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
export const chainLib = async (): Promise<typeof import('@tfgrid/client')> => require('@tfgrid/client') as typeof import('@tfgrid/client');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
export const utilLib = (): typeof import('@polkadot/util') => require('@polkadot/util') as typeof import('@polkadot/util');
export const cryptoLib = (): typeof import('@polkadot/util-crypto') =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
  require('@polkadot/util-crypto') as typeof import('@polkadot/util-crypto');

/** Grid-proxy-compatible explorers per network (dev: the local `tfgrid-explorer`). */
export const EXPLORERS: Record<NetworkName, string> = {
  dev: 'http://127.0.0.1:8080',
  devnet: 'https://gridproxy.dev.grid.tf',
  qanet: 'https://gridproxy.qa.grid.tf',
  testnet: 'https://gridproxy.test.grid.tf',
  mainnet: 'https://gridproxy.grid.tf',
};

export interface GlobalOptions {
  network?: string;
  url?: string;
  mnemonicFile?: string;
  keyType?: string;
  explorer?: string;
  json: boolean;
  quiet: boolean;
  timeoutSec: number;
}

export class Context {
  readonly io: Io;
  readonly g: GlobalOptions;
  #client: Promise<TfchainClient> | undefined;
  #signing = false;
  /** The account that signs this run, once its key was read: chain errors name it. */
  signer: { address: string; source: string } | undefined;

  constructor(io: Io, g: GlobalOptions) {
    this.io = io;
    this.g = g;
    if (g.network !== undefined && !(g.network in EXPLORERS))
      throw new UsageError(`--network must be one of ${Object.keys(EXPLORERS).join(', ')}, got '${g.network}'`);
    if (g.url !== undefined && !/^wss?:\/\/\S+$/.test(g.url)) throw new UsageError(`--url must be a ws:// or wss:// URL, got '${g.url}'`);
    const envUrl = io.env.TFGRID_URL;
    if (g.url === undefined && envUrl && !/^wss?:\/\/\S+$/.test(envUrl))
      throw new UsageError(`TFGRID_URL must be a ws:// or wss:// URL, got '${envUrl}'`);
    if (g.keyType !== undefined && g.keyType !== 'sr25519' && g.keyType !== 'ed25519')
      throw new UsageError(`--key-type must be sr25519 or ed25519, got '${g.keyType}'`);
  }

  get json(): boolean {
    return this.g.json;
  }

  get timeoutMs(): number {
    return this.g.timeoutSec * 1000;
  }

  /** A chain URL given by the user: --url, else TFGRID_URL (unless --network is given). */
  get customUrl(): string | undefined {
    return this.g.url ?? (this.g.network === undefined && this.io.env.TFGRID_URL ? this.io.env.TFGRID_URL : undefined);
  }

  /** The chain's WebSocket URL: --url or TFGRID_URL, else --network (TFGRID_NETWORK), else dev. */
  async chainUrl(): Promise<string> {
    return this.customUrl ?? (await chainLib()).NETWORKS[this.network];
  }

  get network(): NetworkName {
    const n = this.g.network ?? this.io.env.TFGRID_NETWORK ?? 'dev';
    if (!(n in EXPLORERS)) throw new UsageError(`TFGRID_NETWORK must be one of ${Object.keys(EXPLORERS).join(', ')}, got '${n}'`);
    return n as NetworkName;
  }

  /** A progress line on stderr (never on stdout: scripts read stdout). */
  progress(message: string): void {
    if (!this.g.quiet) this.io.stderr(`${message}\n`);
  }

  /** The signer's key pair (validated before anything is sent); remembered as `signer` for messages. */
  async pair(): Promise<KeyringPair> {
    const { secret, source } = resolveKey({
      ...(this.g.mnemonicFile ? { mnemonicFile: this.g.mnemonicFile } : {}),
      env: this.io.env,
      cwd: this.io.cwd,
    });
    const { keyFromSecret, keysReady } = await chainLib();
    await keysReady();
    let pair: KeyringPair;
    try {
      pair = keyFromSecret(secret, (this.g.keyType ?? 'sr25519') as KeyType);
    } catch {
      // Never echo the secret itself.
      throw new UsageError(
        `the key from ${source} is not valid (expected 12 or 24 BIP39 words, a 0x-prefixed 32-byte seed, or a dev URI like //Alice)`,
      );
    }
    this.signer = { address: pair.address, source };
    return pair;
  }

  /** A connected client; `sign` adds the user's key. One connection per run. */
  async client(sign = false): Promise<TfchainClient> {
    if (this.#client && (this.#signing || !sign)) return this.#client;
    if (this.#client) await (await this.#client).disconnect();
    const pair = sign ? await this.pair() : undefined;
    this.#signing = sign;
    const url = await this.chainUrl();
    const { connect } = await chainLib();
    this.progress(`connecting to ${url} …`);
    this.#client = this.#withTimeout(connect({ url, ...(pair ? { pair } : {}) }), `no answer from the chain at ${url}`).catch(
      (e: unknown) => {
        this.#client = undefined;
        if (e instanceof CliFailure) throw e;
        throw new CliFailure(`cannot reach the chain at ${url}: ${(e as Error).message}`, { kind: 'connection', url });
      },
    );
    return this.#client;
  }

  /** The explorer's base URL: --explorer, TFGRID_EXPLORER, or the network's default. */
  get explorerUrl(): string {
    const custom = this.customUrl;
    const u =
      this.g.explorer ??
      this.io.env.TFGRID_EXPLORER ??
      (custom && !/^wss?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(custom) ? undefined : EXPLORERS[this.network]);
    if (!u) throw new UsageError('no explorer for a custom --url: give --explorer URL');
    if (!/^https?:\/\/\S+$/.test(u)) throw new UsageError(`--explorer must be an http(s) URL, got '${u}'`);
    return u.replace(/\/+$/, '');
  }

  /** GET a JSON document from the explorer, bounded by the timeout. */
  async explorer<T>(
    route: string,
    query: Record<string, string | number | boolean | undefined> = {},
  ): Promise<{ body: T; headers: Headers }> {
    const url = new URL(this.explorerUrl + route);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const why =
        (e as Error).name === 'TimeoutError'
          ? `no answer within ${this.g.timeoutSec} s`
          : ((e as { cause?: Error }).cause?.message ?? (e as Error).message);
      throw new CliFailure(`cannot reach the explorer at ${this.explorerUrl}: ${why}`, { kind: 'explorer', url: url.toString() });
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new CliFailure(`the explorer answered ${res.status} with something that is not JSON`, { kind: 'explorer', status: res.status });
    }
    // /health answers 503 with a body worth reading; other errors carry {error} or {message}.
    if (!res.ok && !(res.status === 503 && route === '/health')) {
      const msg = (body as { error?: string; message?: string }).error ?? (body as { message?: string }).message ?? text;
      throw new CliFailure(`the explorer refused ${url.pathname}${url.search}: ${res.status} ${msg}`, {
        kind: 'explorer',
        status: res.status,
        message: msg,
      });
    }
    return { body: body as T, headers: res.headers };
  }

  async #withTimeout<T>(p: Promise<T>, message: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CliFailure(`${message} within ${this.g.timeoutSec} s`, { kind: 'timeout' })), this.timeoutMs);
    });
    try {
      return await Promise.race([p, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs a write with a progress line and the timeout. */
  async tx<T>(what: string, p: () => Promise<T>): Promise<T> {
    this.progress(`${what} … waiting for the chain`);
    return this.#withTimeout(p(), `${what}: no outcome from the chain`);
  }

  async close(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    if (c) await c.then((x) => x.disconnect()).catch(() => undefined);
  }
}
