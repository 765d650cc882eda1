/**
 * Backends of a route: explicit http(s)://host[:port] URLs, their health (a TCP connect probe
 * on the gateway's one interval, plus passive marking when a proxied connect fails), and the
 * order in which a request tries them (healthy ones round-robin first, the others as a last resort).
 */
import net from 'node:net';
import { localReason, type BackendGuard } from './admission';

/** Longest backend URL accepted (a host name is at most 253 characters). */
export const MAX_BACKEND_URL_LENGTH = 300;

export class BackendError extends Error {
  readonly code: 'EBACKENDURL' | 'EBACKENDLOCAL';

  constructor(code: 'EBACKENDURL' | 'EBACKENDLOCAL', message: string) {
    super(message);
    this.code = code;
  }
}

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

/**
 * Parses one backend. Only `http(s)://host[:port]` with an optional trailing `/`: no path, no
 * credentials, no query — the gateway forwards the client's path as is.
 */
export function parseBackend(raw: unknown, allowLocal: boolean): Backend {
  if (typeof raw !== 'string' || raw.length > MAX_BACKEND_URL_LENGTH || !/^https?:\/\/[^\s/?#@\\]+\/?$/i.test(raw)) {
    throw new BackendError('EBACKENDURL', `backend ${String(raw).slice(0, MAX_BACKEND_URL_LENGTH)} must be http(s)://host[:port] (at most ${MAX_BACKEND_URL_LENGTH} characters)`);
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new BackendError('EBACKENDURL', `backend ${raw} is not a URL`);
  }
  const https = u.protocol === 'https:';
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (!host) throw new BackendError('EBACKENDURL', `backend ${raw} has no host`);
  const why = allowLocal ? undefined : localReason(host);
  if (why) throw new BackendError('EBACKENDLOCAL', `backend ${raw} points at the gateway node itself (${why})`);
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

/** One health probe: can we open a TCP connection within `timeoutMs`? `guard`: refuse what leads to the node itself. */
export function probe(b: Backend, timeoutMs: number, guard?: BackendGuard): Promise<string | undefined> {
  const refused = guard?.refuse(b.host);
  if (refused) return Promise.resolve(refused.code);
  return new Promise((resolve) => {
    const s = net.connect({ host: b.host, port: b.port, ...(guard ? { lookup: guard.lookup } : {}) });
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
