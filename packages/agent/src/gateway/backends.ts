/**
 * Backends of a route: explicit http(s)://host[:port] URLs, their health (a TCP connect probe
 * on the gateway's one interval, plus passive marking when a proxied connect fails), and the
 * order in which a request tries them (healthy ones round-robin first, the others as a last resort).
 */
import dns from 'node:dns';
import net from 'node:net';

export class BackendError extends Error {}

export class Backend {
  readonly url: string;
  readonly https: boolean;
  readonly host: string;
  readonly port: number;
  /** host:port, the key health is shared under (two routes may use the same backend). */
  readonly origin: string;
  healthy = true;
  lastError: string | undefined;
  checkedAt = 0;

  constructor(url: string, https: boolean, host: string, port: number) {
    this.url = url;
    this.https = https;
    this.host = host;
    this.port = port;
    this.origin = `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  up(): void {
    this.healthy = true;
    this.lastError = undefined;
  }

  down(reason: string): void {
    this.healthy = false;
    this.lastError = reason;
  }
}

/** Addresses that would let a user reach the gateway node itself or cloud metadata, not their workload. */
export function isLocal(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v = net.isIP(h);
  if (v === 4) return /^(127\.|0\.|169\.254\.)/.test(h);
  if (v === 6) return h === '::1' || h === '::' || /^fe[89ab]/.test(h) || /^::ffff:(127\.|0\.|169\.254\.)/.test(h);
  return false;
}

/**
 * Parses one backend. Only `http(s)://host[:port]` with an optional trailing `/`: no path, no
 * credentials, no query — the gateway forwards the client's path as is.
 */
export function parseBackend(raw: unknown, allowLocal: boolean): Backend {
  if (typeof raw !== 'string' || !/^https?:\/\/[^\s/?#@]+\/?$/i.test(raw)) throw new BackendError(`backend ${String(raw)} must be http(s)://host[:port]`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new BackendError(`backend ${raw} is not a URL`);
  }
  const https = u.protocol === 'https:';
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (!host) throw new BackendError(`backend ${raw} has no host`);
  if (!allowLocal && isLocal(host)) throw new BackendError(`backend ${raw} points at the gateway node itself (loopback, link-local or unspecified)`);
  const port = u.port ? Number(u.port) : https ? 443 : 80;
  return new Backend(raw, https, host, port);
}

/** The order to try `list` in for one request: healthy ones starting at `start`, then the unhealthy. */
export function tryOrder(list: readonly Backend[], start: number): Backend[] {
  const n = list.length;
  if (n === 1) return [list[0]!];
  const healthy: Backend[] = [];
  const sick: Backend[] = [];
  for (let i = 0; i < n; i++) {
    const b = list[(start + i) % n]!;
    (b.healthy ? healthy : sick).push(b);
  }
  return sick.length ? healthy.concat(sick) : healthy;
}

/** One health probe: can we open a TCP connection within `timeoutMs`? */
export function probe(b: Backend, timeoutMs: number, allowLocal = true): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = net.connect({ host: b.host, port: b.port, ...(allowLocal ? {} : { lookup: guardedLookup as net.LookupFunction }) });
    const done = (err?: string): void => {
      clearTimeout(t);
      s.destroy();
      resolve(err);
    };
    const t = setTimeout(() => done('connect timeout'), timeoutMs);
    s.once('connect', () => done());
    s.once('error', (e) => done((e as NodeJS.ErrnoException).code ?? e.message));
  });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * dns.lookup that refuses names resolving to the gateway node itself: the literal check at
 * admission cannot see that `shop.example` (or `localhost.`) points at 127.0.0.1. Used for every
 * backend connection and health probe unless local backends are allowed.
 */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const bad = addresses.find((a) => isLocal(a.address));
    if (bad) {
      const e: NodeJS.ErrnoException = new Error(`backend ${hostname} resolves to ${bad.address}, an address of the gateway node itself`);
      e.code = 'EBACKENDLOCAL';
      return callback(e, '');
    }
    if (options.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}
