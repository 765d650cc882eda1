/**
 * Which Runtime runs the node's zmachines, and why (the agent logs both at start). runc — real
 * isolation and limits — wherever the agent is root and runc is installed; the process runtime
 * only as an explicit choice or fallback on development networks: it runs a deployer's command on
 * this host unconfined, which a node on a public network must never do.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { ImageStore } from './images';
import { ProcessRuntime } from './process-runtime';
import { RuncRuntime } from './runc';
import type { MachineNetworking, Runtime } from '../core/workload-types';

export type WorkloadRuntimeChoice = 'auto' | 'runc' | 'process';
export const WORKLOAD_RUNTIMES: readonly WorkloadRuntimeChoice[] = ['auto', 'runc', 'process'];

export interface RuntimeDecision {
  name: 'runc' | 'process';
  why: string;
}

/** Networks where real deployers' workloads arrive. */
const PUBLIC_NETWORKS = new Set(['mainnet', 'testnet']);

/** Why the process runtime may not run on `network`, or undefined when it may. */
export function processRuntimeRefusal(network: string): string | undefined {
  if (!PUBLIC_NETWORKS.has(network)) return undefined;
  return `the process runtime is refused on ${network}: it runs deployers' commands on this host unconfined (no image, no namespaces, no size limits); run the agent as root with runc installed (--workload-runtime runc)`;
}

export interface HostFacts {
  isRoot: boolean;
  /** Absolute path of runc, when on PATH. */
  runc?: string;
}

export function hostFacts(): HostFacts {
  const runc = onPath('runc');
  return { isRoot: process.getuid?.() === 0, ...(runc ? { runc } : {}) };
}

/** The runtime to use for `choice` on `network`, or an Error saying what is missing. */
export function decideRuntime(choice: WorkloadRuntimeChoice, network: string, host: HostFacts = hostFacts()): RuntimeDecision {
  const missing = [
    ...(host.isRoot ? [] : ['root (the agent is not running as uid 0)']),
    ...(host.runc ? [] : ['runc (not on PATH; scripts/install-system-packages.sh installs it)']),
  ];
  if (choice === 'runc') {
    if (missing.length) throw new Error(`the runc runtime needs ${missing.join(' and ')}`);
    return { name: 'runc', why: 'chosen with --workload-runtime runc' };
  }
  const refusal = processRuntimeRefusal(network);
  if (choice === 'process') {
    if (refusal) throw new Error(refusal);
    return { name: 'process', why: 'chosen with --workload-runtime process (workloads run unconfined on this host)' };
  }
  if (!missing.length) return { name: 'runc', why: `the agent runs as root and runc is installed (${host.runc})` };
  if (refusal) throw new Error(`no workload runtime: runc needs ${missing.join(' and ')}, and ${refusal}`);
  return {
    name: 'process',
    why: `runc needs ${missing.join(' and ')}; falling back to the process runtime (workloads run unconfined; development networks only)`,
  };
}

export interface RuntimeSetup {
  dataDir: string;
  logger: Logger;
  runAsUser: string;
  bridge: string;
  subnet: string;
  /** Machines' interfaces beyond the node-local one (container runtimes only). */
  networking?: MachineNetworking;
}

export function makeRuntime(d: RuntimeDecision, o: RuntimeSetup): Runtime {
  if (d.name === 'process') return new ProcessRuntime({ dataDir: o.dataDir, logger: o.logger, runAsUser: o.runAsUser });
  const images = new ImageStore({ dir: path.join(o.dataDir, 'images'), logger: o.logger });
  return new RuncRuntime({
    dataDir: o.dataDir,
    logger: o.logger,
    images,
    bridge: o.bridge,
    subnet: o.subnet,
    ...(o.networking ? { networking: o.networking } : {}),
  });
}

function onPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = path.join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}
