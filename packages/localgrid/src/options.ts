/** The local grid's options, checked before anything is made. */
import path from 'node:path';
import { acmeInstalled, ACME_COMMANDS } from './acme';
import { LocalGridError } from './errors';

export interface LocalGridOptions {
  /** How many nodes (hosts), 1-16. */
  nodes: number;
  /** Chain, explorer and every node's data directory and storage pool live under it. */
  dataDir: string;
  /** Chain RPC port on the bridge address (0: any free port; default 0). */
  chainPort?: number;
  /** Explorer API port on the bridge address (0: any free port; default 0). */
  explorerPort?: number;
  /** Also serve the chain and the explorer on 127.0.0.1, same ports (for the CLI; default false). */
  loopback?: boolean;
  /** Third octet of 198.18.<subnet>.0/24 (1-254); default the first free one of 200-249. */
  subnet?: number;
  /** The agents' pino level (default info). */
  logLevel?: string;
  /** Run each node's Yggdrasil daemon (default true). Node 0 listens, the others peer with it. */
  planetary?: boolean;
  /** Node 0's Yggdrasil listen port inside its namespace (default 9651). */
  planetaryPort?: number;
  /** Indexes of the nodes that get a domain in their public config, which makes them gateways (default none). */
  gateways?: number[];
  /** Farm of //Alice the nodes join (default devfarm). */
  farmName?: string;
  /** Filesystem root the agents read hardware from (default /; tests give a fixture server). */
  hardwareRoot?: string;
  /** Bound on the whole start: agents registered and listed up (default 180 s). */
  timeoutMs?: number;
  /**
   * Run a local ACME CA (pebble) for the gateway nodes' own-domain certificates (default: when
   * there is a gateway node and pebble is installed).
   */
  acme?: boolean;
}

export type CheckedOptions = Required<Omit<LocalGridOptions, 'subnet' | 'hardwareRoot'>> &
  Pick<LocalGridOptions, 'subnet' | 'hardwareRoot'>;

export const MAX_NODES = 16;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function checkOptions(o: LocalGridOptions): CheckedOptions {
  const bad = (m: string): never => {
    throw new LocalGridError('bad-option', m);
  };
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > MAX_NODES) bad(`nodes must be an integer 1-${MAX_NODES}, got ${o.nodes}`);
  if (typeof o.dataDir !== 'string' || o.dataDir === '') bad('dataDir is required');
  const port = (v: number | undefined, what: string, def: number): number => {
    const n = v ?? def;
    if (!Number.isInteger(n) || n < 0 || n > 65535) bad(`${what} must be a port number 0-65535, got ${v}`);
    return n;
  };
  const logLevel = o.logLevel ?? 'info';
  if (!LEVELS.includes(logLevel)) bad(`logLevel must be one of ${LEVELS.join(', ')}, got ${logLevel}`);
  const gateways = o.gateways ?? [];
  for (const g of gateways)
    if (!Number.isInteger(g) || g < 0 || g >= o.nodes) bad(`gateway index ${g} is not a node index 0-${o.nodes - 1}`);
  const farmName = o.farmName ?? 'devfarm';
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(farmName)) bad(`farm name '${farmName.slice(0, 50)}' must be 1-40 characters of [A-Za-z0-9_-]`);
  const timeoutMs = o.timeoutMs ?? 180_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1000 || timeoutMs > 3_600_000) bad(`timeoutMs must be 1000-3600000, got ${timeoutMs}`);
  const acme = o.acme ?? (gateways.length > 0 && acmeInstalled());
  if (acme && gateways.length === 0) bad('acme needs a gateway node (gateways)');
  if (acme && !acmeInstalled()) bad(`acme needs ${ACME_COMMANDS.join(', ')} on PATH (Debian packages pebble and util-linux)`);
  const planetaryPort = port(o.planetaryPort, 'planetaryPort', 9651);
  if (planetaryPort === 0) bad('planetaryPort must be a fixed port (the other nodes peer with it)');
  return {
    nodes: o.nodes,
    dataDir: path.resolve(o.dataDir),
    chainPort: port(o.chainPort, 'chainPort', 0),
    explorerPort: port(o.explorerPort, 'explorerPort', 0),
    loopback: o.loopback ?? false,
    ...(o.subnet !== undefined ? { subnet: o.subnet } : {}),
    logLevel,
    planetary: o.planetary ?? true,
    planetaryPort,
    gateways,
    farmName,
    ...(o.hardwareRoot !== undefined ? { hardwareRoot: path.resolve(o.hardwareRoot) } : {}),
    timeoutMs,
    acme,
  };
}
