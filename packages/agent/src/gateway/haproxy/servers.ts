/**
 * Where a backend's HAProxy server points. The agent admits every address itself before HAProxy
 * sees it: a literal is checked as it is, a name is resolved here through the guard (every DNS
 * answer that leads to the node itself refuses it) and HAProxy is given the address; a backend
 * on a private network is the Unix socket its relay opened for that target.
 */
import dns from 'node:dns';
import type { BackendGuard } from '../routes/admission';
import { addressOf, addressText, hostPort, parseIPv4, parseIPv6 } from '../../core/address';
import type { Backend } from '../routes/backends';

export type Resolved = { address: string; error?: undefined } | { address?: undefined; error: string };

export interface ResolveOptions {
  guard?: BackendGuard;
  /** The socket of a private network's target (the relay's), for backends with `via`. */
  networkSocket?: (via: string, ip: string, port: number) => Promise<string>;
  timeoutMs: number;
}

/** `ip:port` or `[ipv6]:port` → its parts (what `set server … addr … port …` takes); undefined for `unix@…`. */
export function splitAddress(address: string): { ip: string; port: number } | undefined {
  const m = /^\[?([^\]@]+)\]?:(\d+)$/.exec(address);
  return m ? { ip: m[1]!, port: Number(m[2]) } : undefined;
}

/** A literal host in its canonical text (every inet_aton spelling, as the URL parser left it), or undefined for a name. */
export function literalAddress(host: string): string | undefined {
  if (!addressOf(host)) return undefined;
  const b = host.includes(':') ? parseIPv6(host) : parseIPv4(host);
  return b ? addressText(b) : undefined;
}

/** `b` → the address HAProxy dials now, synchronously when the host is a literal (undefined for a name or a relay). */
export function literalBackend(b: Backend, guard?: BackendGuard): Resolved | undefined {
  if (b.via) return undefined;
  const literal = literalAddress(b.host);
  if (!literal) return undefined;
  const refused = guard?.refuse(b.host);
  return refused ? { error: refused.code ?? 'EBACKENDLOCAL' } : { address: hostPort(literal, b.port) };
}

/** The HAProxy address of `b` now, or why it has none (the error code, as health shows it). */
export async function resolveBackend(b: Backend, o: ResolveOptions): Promise<Resolved> {
  if (b.via) {
    if (!o.networkSocket) return { error: 'ENETWORKRELAY' };
    try {
      return { address: `unix@${await o.networkSocket(b.via, b.host, b.port)}` };
    } catch (e) {
      return { error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
    }
  }
  const literal = literalAddress(b.host);
  if (literal) {
    const refused = o.guard?.refuse(b.host);
    return refused ? { error: refused.code ?? 'EBACKENDLOCAL' } : { address: hostPort(literal, b.port) };
  }
  // A name that is local by itself (localhost, *.localhost) is refused without asking DNS.
  const named = o.guard?.refuse(b.host);
  if (named) return { error: named.code ?? 'EBACKENDLOCAL' };
  const lookup = (o.guard?.lookup ?? dns.lookup) as unknown as (
    h: string,
    opts: dns.LookupOptions,
    cb: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[]) => void,
  ) => void;
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve({ error: 'ETIMEOUT' }), o.timeoutMs);
    lookup(b.host, { all: true }, (err, answers) => {
      clearTimeout(t);
      if (err) return resolve({ error: err.code ?? err.message });
      const list = Array.isArray(answers) ? answers : [{ address: answers, family: answers.includes(':') ? 6 : 4 }];
      const first = list.find((a) => a.family === 4) ?? list[0];
      resolve(first ? { address: hostPort(first.address, b.port) } : { error: 'ENOTFOUND' });
    });
  });
}
