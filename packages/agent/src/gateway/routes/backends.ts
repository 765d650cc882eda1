/**
 * Backends of a route: explicit http(s)://host[:port] URLs, checked and parsed here; HAProxy
 * dials them (haproxy/servers.ts), checks their health and fails over between them.
 * A route on a private network (`network` of the workload) has http://<ipv4>[:port] backends inside
 * the network's range, reached through that network's relay (`via`, a Unix socket).
 */
import { containsIp, parseCidr4, parseIpv4 } from '@tfgrid/client';
import { hostPort } from '../../core/address';
import { localReason } from './admission';
import { CodedError } from '../../core/coded-error';

/** Longest backend URL accepted (a host name is at most 253 characters). */
export const MAX_BACKEND_URL_LENGTH = 300;

export type BackendErrorCode = 'EBACKENDURL' | 'EBACKENDLOCAL' | 'EBACKENDNETWORK';

export class BackendError extends CodedError<BackendErrorCode> {}

export class Backend {
  readonly url: string;
  readonly https: boolean;
  readonly host: string;
  readonly port: number;
  /** The relay socket of the private network the host is on (connections go through it); none: dialled from the node. */
  readonly via: string | undefined;
  /**
   * scheme://host:port (and the relay), the key health and pools are shared under (two routes may
   * use the same backend; the same address on two networks is two backends).
   */
  readonly origin: string;
  /** Before the data plane reads its view of it: assumed up. */
  healthy = true;
  lastError: string | undefined;

  constructor(url: string, https: boolean, host: string, port: number, via?: string) {
    this.url = url;
    this.https = https;
    this.host = host;
    this.port = port;
    this.via = via;
    this.origin = `${https ? 'https' : 'http'}://${hostPort(host, port)}${via ? ` via ${via}` : ''}`;
  }
}

/** The private network a route's backends are on (the workload's `network`, hosted by this node). */
export interface BackendNetwork {
  /** The network workload's name (for messages). */
  name: string;
  /** The whole network's range (`ip_range`): every backend must lie in it. */
  ipRange: string;
  /** Addresses of the node itself in the range (its subnet's gateway .1): refused like the node's own. */
  own: string[];
  /** The relay's socket; undefined while only checking. */
  via?: string;
}

/**
 * Parses one backend. Only `http(s)://host[:port]` with an optional trailing `/`: no path, no
 * credentials, no query — the gateway forwards the client's path as is. With `network`: only
 * `http://<ipv4>[:port]` inside the network's range.
 */
export function parseBackend(raw: unknown, allowLocal: boolean, network?: BackendNetwork): Backend {
  if (typeof raw !== 'string' || raw.length > MAX_BACKEND_URL_LENGTH || !/^https?:\/\/[^\s/?#@\\]+\/?$/i.test(raw)) {
    throw new BackendError(
      'EBACKENDURL',
      `backend ${String(raw).slice(0, MAX_BACKEND_URL_LENGTH)} must be http(s)://host[:port] (at most ${MAX_BACKEND_URL_LENGTH} characters)`,
    );
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
  if (network) return networkBackend(raw, u, host, network);
  const why = allowLocal ? undefined : localReason(host);
  if (why) throw new BackendError('EBACKENDLOCAL', `backend ${raw} points at the gateway node itself (${why})`);
  const port = u.port ? Number(u.port) : https ? 443 : 80;
  return new Backend(raw, https, host, port);
}

/**
 * A backend on a private network: dialled from inside the network's namespace, so the node's own
 * addresses do not matter there — the range and the node's own addresses in the network do.
 */
function networkBackend(raw: string, u: URL, host: string, n: BackendNetwork): Backend {
  const range = parseCidr4(n.ipRange);
  if (!range) throw new BackendError('EBACKENDNETWORK', `network '${n.name}' has no valid ip_range`);
  if (u.protocol !== 'http:') throw new BackendError('EBACKENDNETWORK', `backend ${raw} must be http:// on network '${n.name}'`);
  const ip = parseIpv4(host);
  // new URL() turns every inet_aton spelling into a dotted quad: ask for one in the text itself.
  if (ip === undefined || !raw.toLowerCase().startsWith(`http://${host}`))
    throw new BackendError('EBACKENDNETWORK', `backend ${raw} must be an IPv4 address of network '${n.name}' (${n.ipRange})`);
  if (!containsIp(range, ip)) throw new BackendError('EBACKENDNETWORK', `backend ${raw} is outside network '${n.name}' (${n.ipRange})`);
  if (n.own.includes(host))
    throw new BackendError('EBACKENDLOCAL', `backend ${raw} is the gateway node's own address on network '${n.name}'`);
  // Zero-OS numbering: each node has a /24 of the range, .1 its own side of the network (the same rule as the client's).
  if (ip % 256 < 2 || ip % 256 === 255)
    throw new BackendError(
      'EBACKENDNETWORK',
      `backend ${raw} is not a machine address of network '${n.name}' (.2 to .254 of a node's /24; .1 is a node's side of the network)`,
    );
  const port = u.port ? Number(u.port) : 80;
  return new Backend(raw, false, host, port, n.via);
}
