/**
 * Configuration from, in order of precedence: command-line flags, environment variables
 * (TFGRID_AGENT_*), an optional JSON config file (--config / TFGRID_AGENT_CONFIG), defaults.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { NETWORKS, type NetworkName } from '@tfgrid/client';
import { checkUris } from '../planetary/config';
import {
  checkBridgeName,
  DEFAULT_WORKLOAD_BRIDGE,
  DEFAULT_WORKLOAD_SUBNET,
  parseSubnet,
  processRuntimeRefusal,
  WORKLOAD_RUNTIMES,
  type WorkloadRuntimeChoice,
} from '../workloads';

export interface Location {
  city: string;
  country: string;
  latitude: string;
  longitude: string;
}

export interface AgentConfig {
  /** Chain WebSocket URL; wins over `network`. */
  chainUrl?: string;
  network: NetworkName;
  farmId?: number;
  dataDir: string;
  storagePools: string[];
  location: Location;
  /** host:port of the Prometheus endpoint; 127.0.0.1 unless told otherwise. */
  metricsAddress: string;
  /** Seconds between uptime reports (real nodes: 40 minutes). */
  uptimeIntervalSec: number;
  /** RMB relay published in the twin, or none. */
  relay?: string;
  logLevel: string;
  /** Filesystem root the hardware is read from (tests point it at fixture trees). */
  root: string;
  /** Backend that runs zmachines: `auto` = runc when root and runc is installed, else process (refused on mainnet/testnet). */
  workloadRuntime: WorkloadRuntimeChoice;
  /** Node-local bridge the zmachines' veths join, and the range their addresses come from. */
  workloadBridge: string;
  workloadSubnet: string;
  /** Unprivileged user workload processes run as (when the agent runs as root). */
  runAsUser: string;
  /** Command run (through /bin/sh) after the node was told to power down; none by default. */
  shutdownHook?: string;
  /** Seconds between batched NRU reports (real nodes: 1 hour). */
  nruIntervalSec: number;
  /** Seconds between reconciliations against ActiveNodeContracts (hourly). */
  reconcileIntervalSec: number;
  /** Web Gateway listen addresses (host:port), used only when the node has a public config domain. */
  gatewayHttpAddress: string;
  gatewayHttpsAddress: string;
  /** Directory holding the gateway's TLS certificate (fullchain.pem + privkey.pem, a wildcard for the domain). */
  gatewayCertDir?: string;
  /** Let gateway names proxy to loopback/link-local backends (one-machine setups, tests); off on real gateways. */
  gatewayAllowLocalBackends: boolean;
  /** ACME directory URL (https) own domains (gateway-fqdn-proxy) get certificates from; none: they are served on HTTP only. */
  acmeDirectory?: string;
  /** PEM file of the CA(s) to trust for the ACME API's HTTPS instead of the system's (a local ACME server). */
  acmeCa?: string;
  /** Contact address of the node's ACME account. */
  acmeEmail?: string;
  /** Run the node's Yggdrasil daemon (the planetary overlay). */
  planetary: boolean;
  /** Outbound Yggdrasil peers, tcp://host:port or tls://host:port. */
  planetaryPeers: string[];
  /** Inbound Yggdrasil listeners; none unless configured. */
  planetaryListen: string[];
  /** The interface toward the farm's public network: zmachines' public IPs are macvlans of it. */
  publicInterface?: string;
}

export const DEFAULTS: AgentConfig = {
  network: 'dev',
  dataDir: '/var/lib/tfgrid-agent',
  storagePools: [],
  location: { city: 'Unknown', country: 'Unknown', latitude: 'Unknown', longitude: 'Unknown' },
  metricsAddress: '127.0.0.1:9101',
  uptimeIntervalSec: 40 * 60,
  logLevel: 'info',
  root: '/',
  workloadRuntime: 'auto',
  workloadBridge: DEFAULT_WORKLOAD_BRIDGE,
  workloadSubnet: DEFAULT_WORKLOAD_SUBNET,
  runAsUser: 'nobody',
  nruIntervalSec: 3600,
  reconcileIntervalSec: 3600,
  gatewayHttpAddress: '0.0.0.0:80',
  gatewayHttpsAddress: '0.0.0.0:443',
  gatewayAllowLocalBackends: false,
  planetary: true,
  planetaryPeers: [],
  planetaryListen: [],
};

/** One table drives the flags, the environment variables and the --help text. */
const OPTIONS = {
  config: { env: 'CONFIG', help: 'JSON config file (keys as in this list, camelCase: chainUrl, farmId, ...)' },
  'chain-url': { env: 'CHAIN_URL', help: 'TFChain WebSocket URL (wins over --network)' },
  network: { env: 'NETWORK', help: `network preset: ${Object.keys(NETWORKS).join(', ')} (default dev)` },
  'farm-id': { env: 'FARM_ID', help: 'farm this node belongs to (required to register)' },
  'data-dir': { env: 'DATA_DIR', help: `identity seed and state (default ${DEFAULTS.dataDir})` },
  'storage-pool': {
    env: 'STORAGE_POOLS',
    help: 'a directory workloads may use for volumes; repeat the flag (env: comma-separated)',
    multiple: true,
  },
  city: { env: 'CITY', help: 'location: city (default Unknown)' },
  country: { env: 'COUNTRY', help: 'location: country (default Unknown)' },
  latitude: { env: 'LATITUDE', help: 'location: latitude in degrees (default Unknown)' },
  longitude: { env: 'LONGITUDE', help: 'location: longitude in degrees (default Unknown)' },
  'metrics-address': { env: 'METRICS_ADDRESS', help: `Prometheus /metrics host:port (default ${DEFAULTS.metricsAddress})` },
  'uptime-interval': { env: 'UPTIME_INTERVAL', help: 'seconds between uptime reports (default 2400 = 40 min)' },
  relay: { env: 'RELAY', help: 'RMB relay domain published in the twin (default none)' },
  'log-level': { env: 'LOG_LEVEL', help: 'pino level: trace, debug, info, warn, error (default info)' },
  root: { env: 'ROOT', help: 'filesystem root to read hardware from (default /; for tests)' },
  'workload-runtime': {
    env: 'WORKLOAD_RUNTIME',
    help: 'backend that runs zmachines: auto, runc, process (default auto: runc when root and runc is installed; process is refused on mainnet and testnet)',
  },
  'workload-bridge': { env: 'WORKLOAD_BRIDGE', help: `node-local bridge of the zmachines (default ${DEFAULT_WORKLOAD_BRIDGE})` },
  'workload-subnet': {
    env: 'WORKLOAD_SUBNET',
    help: `node-local IPv4 range of the zmachines, prefix 16..29 (default ${DEFAULT_WORKLOAD_SUBNET})`,
  },
  'run-as-user': { env: 'RUN_AS_USER', help: 'unprivileged user workload processes run as when started as root (default nobody)' },
  'shutdown-hook': { env: 'SHUTDOWN_HOOK', help: 'shell command run when the farmer powers this node down (default none)' },
  'nru-interval': { env: 'NRU_INTERVAL', help: 'seconds between batched network usage reports (default 3600)' },
  'reconcile-interval': { env: 'RECONCILE_INTERVAL', help: 'seconds between contract reconciliations with the chain (default 3600)' },
  'gateway-http': { env: 'GATEWAY_HTTP', help: 'Web Gateway HTTP host:port on gateway nodes (default 0.0.0.0:80)' },
  'gateway-https': { env: 'GATEWAY_HTTPS', help: 'Web Gateway HTTPS host:port on gateway nodes (default 0.0.0.0:443)' },
  'gateway-cert-dir': {
    env: 'GATEWAY_CERT_DIR',
    help: 'directory with fullchain.pem and privkey.pem (wildcard certificate) for the gateway',
  },
  'gateway-allow-local-backends': {
    env: 'GATEWAY_ALLOW_LOCAL_BACKENDS',
    help: 'true: gateway names may proxy to loopback backends (one-machine setups only; default false)',
  },
  'acme-directory': {
    env: 'ACME_DIRECTORY',
    help: 'ACME directory URL (https://…/directory) for own-domain certificates of gateway-fqdn-proxy (default none: own domains on HTTP only)',
  },
  'acme-ca': {
    env: 'ACME_CA',
    help: "PEM file of the CA to trust for the ACME directory's HTTPS (a local ACME server; default the system's)",
  },
  'acme-email': { env: 'ACME_EMAIL', help: "contact e-mail of the node's ACME account (default none)" },
  planetary: { env: 'PLANETARY', help: "true: run the node's Yggdrasil daemon, the planetary overlay (default true)" },
  'planetary-peer': {
    env: 'PLANETARY_PEERS',
    help: 'an outbound Yggdrasil peer tcp://host:port or tls://host:port; repeat the flag (env: comma-separated)',
    multiple: true,
  },
  'public-interface': {
    env: 'PUBLIC_INTERFACE',
    help: "interface on the farm's public network; zmachines' public IPs go on it (default none: no public IPs)",
  },
  'planetary-listen': {
    env: 'PLANETARY_LISTEN',
    help: 'an inbound Yggdrasil listener tcp://ip:port; repeat (default none: nothing listens)',
    multiple: true,
  },
} as const;
type Key = keyof typeof OPTIONS;

export class ConfigError extends Error {}

export function helpText(): string {
  const rows = Object.entries(OPTIONS).map(([k, o]) => `  --${k.padEnd(17)} ${o.help}\n  ${' '.repeat(19)} env TFGRID_AGENT_${o.env}`);
  return [
    'tfgrid-agent — the 3Node agent: measures this machine, registers it on TFChain and reports uptime.',
    '',
    'usage: tfgrid-agent [run] [options]     run the agent (default)',
    '       tfgrid-agent capacity [options]  print the measured hardware and capacity, then exit',
    '       tfgrid-agent --help',
    '',
    'options (flags win over environment variables, which win over the config file):',
    ...rows,
  ].join('\n');
}

export interface ParsedArgs {
  command: 'run' | 'capacity' | 'help';
  config: AgentConfig;
}

/** Parses argv (without node and script) and the environment into a checked config. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedArgs {
  const spec = Object.fromEntries(Object.entries(OPTIONS).map(([k, o]) => [k, { type: 'string' as const, multiple: 'multiple' in o }]));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...spec, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const [cmd = 'run', ...extra] = parsed.positionals;
  if (extra.length) throw new ConfigError(`unexpected arguments: ${extra.join(' ')}`);
  if (!['run', 'capacity', 'help'].includes(cmd)) throw new ConfigError(`unknown command ${cmd} (run, capacity)`);
  const command = parsed.values.help ? 'help' : (cmd as ParsedArgs['command']);
  const flag = (k: Key): string | string[] | undefined => (parsed.values as Record<string, string | string[] | undefined>)[k];
  const pick = (k: Key): string | undefined => {
    const f = flag(k);
    if (f !== undefined) return Array.isArray(f) ? f.join(',') : f;
    return env[`TFGRID_AGENT_${OPTIONS[k].env}`];
  };
  const configFile = pick('config');
  const file = configFile ? readConfigFile(configFile) : {};
  const c: AgentConfig = { ...DEFAULTS, ...file, location: { ...DEFAULTS.location, ...(file.location ?? {}) } };
  const s = (k: Key, set: (v: string) => void): void => {
    const v = pick(k);
    if (v !== undefined && v !== '') set(v);
  };
  s('chain-url', (v) => (c.chainUrl = v));
  s('network', (v) => (c.network = v as NetworkName));
  s('farm-id', (v) => (c.farmId = int(v, 'farm id')));
  s('data-dir', (v) => (c.dataDir = v));
  s(
    'storage-pool',
    (v) =>
      (c.storagePools = v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)),
  );
  s('city', (v) => (c.location.city = v));
  s('country', (v) => (c.location.country = v));
  s('latitude', (v) => (c.location.latitude = v));
  s('longitude', (v) => (c.location.longitude = v));
  s('metrics-address', (v) => (c.metricsAddress = v));
  s('uptime-interval', (v) => (c.uptimeIntervalSec = int(v, 'uptime interval')));
  s('relay', (v) => (c.relay = v));
  s('log-level', (v) => (c.logLevel = v));
  s('root', (v) => (c.root = v));
  s('workload-runtime', (v) => (c.workloadRuntime = v as AgentConfig['workloadRuntime']));
  s('workload-bridge', (v) => (c.workloadBridge = v));
  s('workload-subnet', (v) => (c.workloadSubnet = v));
  s('run-as-user', (v) => (c.runAsUser = v));
  s('shutdown-hook', (v) => (c.shutdownHook = v));
  s('nru-interval', (v) => (c.nruIntervalSec = int(v, 'NRU interval')));
  s('reconcile-interval', (v) => (c.reconcileIntervalSec = int(v, 'reconcile interval')));
  s('gateway-http', (v) => (c.gatewayHttpAddress = v));
  s('gateway-https', (v) => (c.gatewayHttpsAddress = v));
  s('gateway-cert-dir', (v) => (c.gatewayCertDir = v));
  s('gateway-allow-local-backends', (v) => (c.gatewayAllowLocalBackends = bool(v, 'gateway-allow-local-backends')));
  s('acme-directory', (v) => (c.acmeDirectory = v));
  s('acme-ca', (v) => (c.acmeCa = v));
  s('acme-email', (v) => (c.acmeEmail = v));
  const list = (v: string): string[] =>
    v
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  s('planetary', (v) => (c.planetary = bool(v, 'planetary')));
  s('planetary-peer', (v) => (c.planetaryPeers = list(v)));
  s('planetary-listen', (v) => (c.planetaryListen = list(v)));
  s('public-interface', (v) => (c.publicInterface = v));
  check(c);
  return { command, config: c };
}

function readConfigFile(file: string): Partial<AgentConfig> {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new ConfigError(`config file ${file} is not JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`config file ${file} must hold a JSON object`);
  const known = new Set([
    ...Object.keys(DEFAULTS),
    'chainUrl',
    'farmId',
    'relay',
    'shutdownHook',
    'gatewayCertDir',
    'publicInterface',
    'acmeDirectory',
    'acmeCa',
    'acmeEmail',
  ]);
  const unknown = Object.keys(v).filter((k) => !known.has(k));
  if (unknown.length) throw new ConfigError(`config file ${file}: unknown keys ${unknown.join(', ')}`);
  return v as Partial<AgentConfig>;
}

function bool(v: string, what: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError(`${what} must be true or false, got ${v}`);
}

function int(v: string | number, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new ConfigError(`${what} must be a positive integer, got ${v}`);
  return n;
}

function check(c: AgentConfig): void {
  if (!c.chainUrl && !(c.network in NETWORKS)) throw new ConfigError(`unknown network ${c.network} (${Object.keys(NETWORKS).join(', ')})`);
  if (c.chainUrl && !/^wss?:\/\//.test(c.chainUrl)) throw new ConfigError(`chain URL must be ws:// or wss://, got ${c.chainUrl}`);
  if (c.farmId !== undefined) c.farmId = int(c.farmId, 'farm id');
  c.uptimeIntervalSec = int(c.uptimeIntervalSec, 'uptime interval');
  if (!Array.isArray(c.storagePools) || c.storagePools.some((p) => typeof p !== 'string'))
    throw new ConfigError('storagePools must be a list of directories');
  parseHostPort(c.metricsAddress);
  parseHostPort(c.gatewayHttpAddress, 'gateway HTTP address');
  parseHostPort(c.gatewayHttpsAddress, 'gateway HTTPS address');
  if (typeof c.gatewayAllowLocalBackends !== 'boolean') throw new ConfigError('gatewayAllowLocalBackends must be true or false');
  checkAcme(c);
  if (!WORKLOAD_RUNTIMES.includes(c.workloadRuntime))
    throw new ConfigError(`unknown workload runtime ${c.workloadRuntime} (${WORKLOAD_RUNTIMES.join(', ')})`);
  const refusal = c.workloadRuntime === 'process' ? processRuntimeRefusal(c.network) : undefined;
  if (refusal) throw new ConfigError(refusal);
  try {
    checkBridgeName(c.workloadBridge);
    parseSubnet(c.workloadSubnet);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  c.nruIntervalSec = int(c.nruIntervalSec, 'NRU interval');
  c.reconcileIntervalSec = int(c.reconcileIntervalSec, 'reconcile interval');
  if (typeof c.planetary !== 'boolean') throw new ConfigError('planetary must be true or false');
  if (c.publicInterface !== undefined && !/^[A-Za-z0-9_.-]{1,15}$/.test(c.publicInterface))
    throw new ConfigError(`public interface '${c.publicInterface}' must be an interface name (1-15 characters of [A-Za-z0-9_.-])`);
  for (const [k, v] of [
    ['planetaryPeers', c.planetaryPeers],
    ['planetaryListen', c.planetaryListen],
  ] as const)
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
      throw new ConfigError(`${k} must be a list of tcp://host:port addresses`);
  try {
    checkUris('peer', c.planetaryPeers);
    checkUris('listen', c.planetaryListen);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

/** Longest ACME directory URL and e-mail accepted. */
const MAX_ACME_URL = 2048;
const MAX_EMAIL = 254;
/** Largest CA file read (a bundle of a few certificates). */
const MAX_CA_BYTES = 1024 * 1024;

/** The ACME settings: an https directory URL; a CA file and an e-mail only with one, each well-formed. */
function checkAcme(c: AgentConfig): void {
  const d = c.acmeDirectory;
  if (d !== undefined) {
    let u: URL | undefined;
    try {
      u = typeof d === 'string' && d.length <= MAX_ACME_URL ? new URL(d) : undefined;
    } catch {
      u = undefined;
    }
    if (!u || u.protocol !== 'https:' || u.username || u.password)
      throw new ConfigError(
        `ACME directory must be an https:// URL of at most ${MAX_ACME_URL} characters without credentials (RFC 8555 serves ACME over HTTPS), got ${String(d).slice(0, 200)}`,
      );
  }
  if (c.acmeCa !== undefined) {
    if (d === undefined) throw new ConfigError('--acme-ca needs --acme-directory (it is the CA trusted for that directory)');
    let pem: Buffer;
    try {
      pem = readFileSync(c.acmeCa);
    } catch (e) {
      throw new ConfigError(`cannot read the ACME CA file ${c.acmeCa}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (pem.length > MAX_CA_BYTES || !pem.includes('-----BEGIN CERTIFICATE-----'))
      throw new ConfigError(
        `ACME CA file ${c.acmeCa} must hold PEM certificates (-----BEGIN CERTIFICATE-----), at most ${MAX_CA_BYTES} bytes`,
      );
  }
  if (c.acmeEmail !== undefined) {
    if (d === undefined) throw new ConfigError('--acme-email needs --acme-directory (it is the contact of the account there)');
    if (
      typeof c.acmeEmail !== 'string' ||
      c.acmeEmail.length > MAX_EMAIL ||
      !/^[^\s@<>()[\],;:"]+@[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+$/.test(c.acmeEmail)
    )
      throw new ConfigError(
        `ACME e-mail must be an address like ops@example.com (at most ${MAX_EMAIL} characters), got ${String(c.acmeEmail).slice(0, 100)}`,
      );
  }
}

/** `host:port` (IPv6 as `[::1]:9101`). */
export function parseHostPort(addr: string, what = 'metrics address'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(addr);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`${what} must be host:port, got ${addr}`);
  return { host: (m[1] ?? m[2])!, port };
}

/** The WebSocket URL to connect to. */
export function chainUrlOf(c: AgentConfig): string {
  return c.chainUrl ?? NETWORKS[c.network];
}
