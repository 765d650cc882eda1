/** The agent's own health probe: can a connection to the address HAProxy dials be opened within the timeout? */
import net from 'node:net';
import type { Backend } from '../routes/backends';
import { resolveBackend, splitAddress, type ResolveOptions } from './servers';

/** One probe of a backend as HAProxy would dial it: admitted and resolved through the guard, then connected. */
export async function probeBackend(b: Backend, o: ResolveOptions): Promise<string | undefined> {
  const r = await resolveBackend(b, o);
  return r.error ?? probeAddress(r.address, o.timeoutMs);
}

/** `ip:port`, `[ipv6]:port` or `unix@/path` → undefined when it connects, else the error code. */
export function probeAddress(address: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let s: net.Socket;
    if (address.startsWith('unix@')) s = net.connect(address.slice(5));
    else {
      const at = splitAddress(address);
      if (!at) return resolve('EBADADDRESS');
      s = net.connect({ host: at.ip, port: at.port });
    }
    const done = (err?: string): void => {
      clearTimeout(t);
      s.destroy();
      resolve(err);
    };
    const t = setTimeout(() => done('connect timeout'), timeoutMs);
    s.once('connect', () => done());
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
  });
}
