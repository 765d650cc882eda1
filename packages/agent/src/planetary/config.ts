/**
 * The node's Yggdrasil configuration, kept in the data directory (0600: it holds the node's
 * overlay private key). Keys are made once by `yggdrasil -genconf`; every start rewrites the
 * rest from the agent's options, so a changed peer list takes effect and nothing else listens:
 * no multicast discovery (it opens a listening port), no inbound listener unless configured.
 */
import { writeFileAtomic } from '@tfgrid/client';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PlanetaryError } from './errors';

const run = promisify(execFile);

export const CONFIG_FILE = 'yggdrasil.conf';
export const ADMIN_SOCKET = 'admin.sock';
/** A unix socket path must fit sockaddr_un (108 bytes with the NUL). */
const MAX_SOCKET_PATH = 107;
const MAX_URIS = 32;

export interface PlanetaryConfigOptions {
  /** Outbound peers, `tcp://host:port` or `tls://host:port`. */
  peers: string[];
  /** Inbound listeners (none by default), same form. */
  listen: string[];
  /** Name of the TUN interface. */
  ifName: string;
  binary: string;
}

/** tcp:// or tls:// with an IPv4, a bracketed IPv6 or a DNS name, and a port. */
const URI =
  /^(tcp|tls):\/\/(\[[0-9a-fA-F:.]+\]|[0-9]{1,3}(\.[0-9]{1,3}){3}|[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*):([0-9]{1,5})$/;

/** Throws naming the first bad URI of `what` (peer or listen address). */
export function checkUris(what: string, uris: string[]): void {
  if (uris.length > MAX_URIS)
    throw new PlanetaryError('bad-config', `at most ${MAX_URIS} planetary ${what} addresses (got ${uris.length})`);
  for (const u of uris) {
    const m = u.length <= 300 ? URI.exec(u) : null;
    const port = m ? Number(m[7]) : 0;
    if (!m || port < 1 || port > 65535)
      throw new PlanetaryError('bad-config', `planetary ${what} '${u.slice(0, 80)}' is not tcp://host:port or tls://host:port`);
  }
}

export function checkIfName(name: string): void {
  if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(name))
    throw new PlanetaryError('bad-config', `planetary interface name '${name.slice(0, 40)}' must be 1-15 characters of [a-zA-Z0-9_.-]`);
}

/** Writes the config for `dir` (creating keys on first use); returns its path. */
export async function writeConfig(dir: string, o: PlanetaryConfigOptions): Promise<string> {
  checkUris('peer', o.peers);
  checkUris('listen', o.listen);
  checkIfName(o.ifName);
  const socket = path.join(dir, ADMIN_SOCKET);
  if (socket.length > MAX_SOCKET_PATH)
    throw new PlanetaryError(
      'bad-config',
      `the planetary admin socket path ${socket} is longer than ${MAX_SOCKET_PATH} bytes: use a shorter data directory`,
    );
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, CONFIG_FILE);
  let conf: Record<string, unknown>;
  if (existsSync(file)) {
    try {
      conf = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new PlanetaryError('bad-config', `${file} is not valid JSON (${(e as Error).message}); move it away to make new overlay keys`);
    }
    if (typeof conf.PrivateKey !== 'string')
      throw new PlanetaryError('bad-config', `${file} holds no PrivateKey; move it away to make new overlay keys`);
  } else {
    try {
      conf = JSON.parse((await run(o.binary, ['-genconf', '-json'], { maxBuffer: 1024 * 1024 })).stdout) as Record<string, unknown>;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new PlanetaryError('missing-binary', `${o.binary} is not installed (Debian package yggdrasil)`);
      throw new PlanetaryError('bad-config', `${o.binary} -genconf failed: ${(e as Error).message}`);
    }
  }
  Object.assign(conf, {
    Peers: o.peers,
    InterfacePeers: {},
    Listen: o.listen,
    AdminListen: `unix://${socket}`,
    MulticastInterfaces: [],
    IfName: o.ifName,
    NodeInfoPrivacy: true,
    NodeInfo: {},
  });
  writeFileAtomic(file, JSON.stringify(conf, null, 2) + '\n');
  return file;
}
