/**
 * The CLI's saved networks: each plan (it holds WireGuard private keys) with the deployments that
 * carry it, in `$TFGRID_STATE_DIR` (default `~/.config/tfgrid/networks`) as `<twin>-<name>.json`,
 * mode 0600, written atomically. Never printed: `publicView` is what commands show.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Deployment, NetworkPlan } from '@tfgrid/client';
import { writeFileAtomic } from '@tfgrid/client/light';
import { CliFailure, UsageError } from './errors';
import type { Io } from './io';

export interface SavedContract {
  nodeId: number;
  contractId: number;
  /** What the contract carries now (the whole deployment: an update sends all of it again). */
  deployment: Deployment;
}

export interface SavedMachine {
  name: string;
  nodeId: number;
  ip: string;
}

export interface SavedNetwork {
  twinId: number;
  plan: NetworkPlan;
  contracts: SavedContract[];
  machines: SavedMachine[];
}

export function stateDir(io: Io): string {
  const d = io.env.TFGRID_STATE_DIR ?? (io.env.HOME ? path.join(io.env.HOME, '.config', 'tfgrid', 'networks') : undefined);
  if (!d) throw new UsageError('no place for the saved networks: set TFGRID_STATE_DIR or HOME');
  return path.resolve(io.cwd, d);
}

const fileOf = (io: Io, twinId: number, name: string): string => path.join(stateDir(io), `${twinId}-${name}.json`);

export function loadNetwork(io: Io, twinId: number, name: string): SavedNetwork | undefined {
  const f = fileOf(io, twinId, name);
  let raw: string;
  try {
    raw = readFileSync(f, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliFailure(`cannot read the saved network ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      kind: 'state',
      file: f,
    });
  }
  try {
    return JSON.parse(raw) as SavedNetwork;
  } catch {
    throw new CliFailure(`the saved network ${f} is not JSON`, { kind: 'state', file: f });
  }
}

/** Writes the network to a temporary file (0600) and renames it into place. */
export function saveNetwork(io: Io, n: SavedNetwork): string {
  const dir = stateDir(io);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = fileOf(io, n.twinId, n.plan.name);
  writeFileAtomic(f, `${JSON.stringify(n, null, 2)}\n`, { mode: 0o600 });
  return f;
}

/** Every saved network (of every twin), by file name order. */
export function listNetworks(io: Io): SavedNetwork[] {
  let names: string[];
  try {
    names = readdirSync(stateDir(io));
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+-.+\.json$/.test(n))
    .sort()
    .map((n) => JSON.parse(readFileSync(path.join(stateDir(io), n), 'utf8')) as SavedNetwork);
}

export interface NetworkGateway {
  /** The workload's name. */
  name: string;
  nodeId: number;
  contractId: number;
  /** A name proxy's name (its name contract). */
  gatewayName?: string;
  /** An fqdn proxy's own domain. */
  fqdn?: string;
  backends: string[];
}

/** The gateways of the network's contracts that join it (their deployments as last sent). */
export function networkGateways(n: SavedNetwork): NetworkGateway[] {
  return n.contracts.flatMap((k) =>
    k.deployment.workloads
      .filter((w) => w.type.startsWith('gateway-') && w.data.network === n.plan.name)
      .map((w) => ({
        name: w.name,
        nodeId: k.nodeId,
        contractId: k.contractId,
        ...(w.type === 'gateway-fqdn-proxy' ? { fqdn: String(w.data.fqdn) } : { gatewayName: String(w.data.name) }),
        backends: Array.isArray(w.data.backends) ? (w.data.backends as string[]) : [],
      })),
  );
}

/** The network without its keys: ranges, subnets, endpoints, ports, public keys, contracts, machines, gateways. */
export function publicView(n: SavedNetwork): Record<string, unknown> {
  const p = n.plan;
  return {
    name: p.name,
    twinId: n.twinId,
    ipRange: p.ipRange,
    nodes: p.nodes.map((x) => ({
      nodeId: x.nodeId,
      subnet: x.subnet,
      wireguardIp: x.wireguardIp,
      endpoint: x.endpoint ?? null,
      listenPort: x.listenPort,
      publicKey: x.publicKey,
      contractId: n.contracts.find((c) => c.nodeId === x.nodeId)?.contractId ?? null,
    })),
    users: p.users.map((u) => ({ name: u.name, subnet: u.subnet, wireguardIp: u.wireguardIp, publicKey: u.publicKey })),
    machines: n.machines,
    gateways: networkGateways(n),
  };
}

/** After an update of contract `contractId`: the other saved networks of the twin that share it get its new deployment. */
export function shareDeployment(io: Io, twinId: number, except: string, c: SavedContract): void {
  for (const n of listNetworks(io)) {
    if (n.twinId !== twinId || n.plan.name === except) continue;
    const k = n.contracts.find((x) => x.contractId === c.contractId);
    if (!k) continue;
    k.deployment = c.deployment;
    saveNetwork(io, n);
  }
}

/** Forgets a network (its contracts are canceled). */
export function removeNetwork(io: Io, twinId: number, name: string): void {
  rmSync(fileOf(io, twinId, name), { force: true });
}
