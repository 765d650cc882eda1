/** The sockets a host listens on, as `ss -H -tlnup` inside its namespace lists them (TCP listeners and unconnected UDP). */
import { sh } from '@tfgrid/netns';

export interface ListeningSocket {
  proto: 'tcp' | 'udp';
  /** 127.0.0.1, 198.18.…, 0.0.0.0, ::, * … */
  address: string;
  port: number;
  /** The owning program's name where ss shows it. */
  program?: string;
}

export function listeningSockets(ns: string): ListeningSocket[] {
  return parseSs(sh(['ip', 'netns', 'exec', ns, 'ss', '-H', '-tlnup']));
}

export function parseSs(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5 || (cols[0] !== 'tcp' && cols[0] !== 'udp')) continue;
    const local = cols[4]!;
    const cut = local.lastIndexOf(':');
    const address = local
      .slice(0, cut)
      .replace(/^\[|\]$/g, '')
      .replace(/%.*$/, '');
    const program = /users:\(\("([^"]+)"/.exec(line)?.[1];
    out.push({ proto: cols[0], address, port: Number(local.slice(cut + 1)), ...(program ? { program } : {}) });
  }
  return out;
}

/** `proto address:port`, for comparing lists in one glance. */
export const socketKey = (s: Pick<ListeningSocket, 'proto' | 'address' | 'port'>): string =>
  `${s.proto} ${s.address.includes(':') ? `[${s.address}]` : s.address}:${s.port}`;
