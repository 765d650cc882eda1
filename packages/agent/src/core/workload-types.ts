/**
 * The seams between the contract follower, the provisioner and the workload kinds.
 * The follower (src/contracts/) decides WHAT a contract needs; the provisioner
 * (src/workloads/provisioner.ts) keeps workloads in that state, persisting each one's state;
 * a WorkloadHandler per type does the real work (volume, vm through a Runtime,
 * gateway-name-proxy through the gateway). A VM or container backend is one more Runtime.
 */
import type { Deployment, ImageRef, Resources, Workload, WorkloadType } from '@tfgrid/client';

/** Capacity in the chain's units (cru = logical CPUs, mru/sru/hru = bytes): the client's `Resources`. */
export type Capacity = Resources;

export type WorkloadStateName = 'ok' | 'error' | 'paused' | 'deleted';

/** What the node knows about one workload; persisted, survives restarts. */
export interface WorkloadState {
  contractId: number;
  name: string;
  /** A WorkloadType, or whatever type name the deployment carried. */
  type: string;
  version: number;
  state: WorkloadStateName;
  /** Why it is in `error` (or was deleted), in words. */
  reason?: string;
  /**
   * The error's code when the agent knows it: `CAPACITY` (the deployment does not fit), `RECOVERY_FAILED` (not brought back
   * after a restart), `INTERRUPTED` (a provision under way, or cut short by the agent stopping: retried at start),
   * `INTERRUPTED_TWICE` (cut short again when retried: held until a new version), `INTERRUPTED_NOT_RETRIED`.
   */
  code?: string;
  /** Capacity this workload holds while ok or paused (zero once deleted or refused). */
  used: Capacity;
  /** Handler-specific result for the deployer (volume path, process pid, gateway FQDN...). */
  result?: Record<string, unknown>;
  /** ms since epoch of the last change. */
  updatedAt: number;
}

/** A deployment the node opened and verified, tied to its contract. */
export interface ContractDeployment {
  contractId: number;
  twinId: number;
  /** The contract's deployment_hash (MD5 hex of the challenge). */
  hash: string;
  deployment: Deployment;
  /** The farm's public IPs the chain reserved for the contract (`ip` workloads take them). */
  publicIps?: ReservedIp[];
}

/** A farm public IP held by a contract: `ip` with its prefix (185.206.122.33/24) and the farm's gateway. */
export interface ReservedIp {
  ip: string;
  gateway: string;
}

/** Handed to handlers: where to keep files, and what they may ask the chain. */
export interface HandlerContext {
  contractId: number;
  twinId: number;
  /** Deployment-wide lookups: another workload of the same deployment (vm mounts → volume). */
  workload(name: string): Workload | undefined;
  result(name: string): Record<string, unknown> | undefined;
  /** The public IPs the contract holds on the chain. */
  publicIps(): ReservedIp[];
}

/** One kind of workload. Errors thrown by provision are kept as the workload's reason. */
export interface WorkloadHandler {
  readonly type: WorkloadType;
  /** Capacity the workload needs, or throws an Error naming what is invalid. */
  needs(w: Workload): Capacity;
  /** Extra admission checks (ownership, node role) before capacity is taken. */
  admit?(w: Workload, ctx: HandlerContext): Promise<void>;
  /**
   * Brings the workload up (idempotent: called again after a restart or update, with the state it
   * had). `opts.paused`: recovering a paused workload — hold its resources but run nothing
   * (pause() follows; a handler that ignores the flag is paused right after).
   */
  provision(w: Workload, ctx: HandlerContext, previous?: WorkloadState, opts?: ProvisionOptions): Promise<Record<string, unknown>>;
  /** Tears it down and frees everything it holds (idempotent). */
  deprovision(state: WorkloadState): Promise<void>;
  pause(state: WorkloadState): Promise<void>;
  resume(state: WorkloadState): Promise<void>;
  /** Stops what runs without freeing it (agent shutdown; provision brings it back). */
  stop?(state: WorkloadState): Promise<void>;
}

export interface ProvisionOptions {
  paused?: boolean;
}

/** Runs `zmachine` (and `vm`) workloads: containers on runc, or plain processes (process runtime); a VM backend implements the same. */
export interface Runtime {
  readonly name: string;
  /** Idempotent for the same spec; a changed spec restarts it. `paused`: keep it registered, run nothing until resume(). */
  start(spec: RuntimeSpec, opts?: RuntimeStartOptions): Promise<{ pid?: number; [k: string]: unknown }>;
  stop(id: string): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Removes everything the runtime kept for it (directory, logs, cgroup). */
  remove(id: string): Promise<void>;
  status(id: string): 'running' | 'paused' | 'stopped' | 'unknown';
  close(): Promise<void>;
  /** Removes what the runtime holds for ids not in `keep` (left by workloads deleted while the agent was down); returns those ids. */
  prune?(keep: ReadonlySet<string>): Promise<string[]>;
  /** What happened to a running machine (OOM kill, crash, restart), for its workload state; returns an unsubscribe. */
  onEvent?(listener: (e: RuntimeEvent) => void): () => void;
}

export interface RuntimeEvent {
  id: string;
  kind: 'oom' | 'exited' | 'restart-failed';
  /** In words, for the deployer. */
  message: string;
  at: number;
}

export interface RuntimeSpec {
  /** Stable id: `<contractId>-<workload name>`. */
  id: string;
  /** argv; for the process runtime from the vm's `entrypoint`, run through /bin/sh -c. */
  command: string;
  env: Record<string, string>;
  cpu: number;
  /** Bytes. */
  memory: number;
  /** Host directories to expose, by mountpoint (the process runtime exports them as env). */
  mounts: { mountpoint: string; hostPath: string; /** The volume's name (names the env variable). */ name?: string }[];
  /** The machine's image; container runtimes need it, the process runtime ignores it. */
  image?: ImageRef;
  /** A Zero-OS flist URL: ignored by the process runtime, refused by the container runtime (it cannot boot one). */
  flist?: string;
  /** Bytes of the machine's writable root filesystem (container runtimes). */
  rootSize?: number;
  /** Interfaces beyond the node-local one: private networks, the planetary overlay, a public IP. */
  interfaces?: MachineInterfaceSpec[];
}

/** One network interface of a machine, as data (a changed list restarts the machine). */
export type MachineInterfaceSpec =
  | { kind: 'private'; network: string; netId: string; ipRange: string; subnet: string; ip: string }
  | { kind: 'planetary' }
  /** IPv4 (`ip`, `gateway`), IPv6 (`ip6`, `gateway6`) or both, from the machine's `ip` workload. */
  | { kind: 'public'; ip?: string; gateway?: string; ip6?: string; gateway6?: string };

/** Puts a machine's interfaces into its namespace (before its command starts); what it returns joins the machine's addresses. */
export interface MachineNetworking {
  /** `nodeLocal`: the machine's node-local address (unique on the node: it numbers the machine elsewhere too). */
  attach(id: string, netns: string, interfaces: MachineInterfaceSpec[], nodeLocal: string): Promise<Record<string, unknown>>;
}

export interface RuntimeStartOptions {
  paused?: boolean;
}

/** Network usage sink: the gateway (and later runtimes) add bytes per contract; the report queue sends them as NRU. */
export interface NruSink {
  add(contractId: number, bytes: number): void;
}
