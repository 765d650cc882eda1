/**
 * What the follower, the reporters and the metrics need from the provisioner
 * (src/workloads/provisioner.ts implements it). Kept as an interface so tests can drive the
 * follower with a recording fake and the real provisioner can change behind it.
 */
import type { Capacity, ContractDeployment, WorkloadHandler, WorkloadState } from './workload-types';

export interface ProvisionerPort {
  /** Brings the contract's workloads to what the deployment says; persists each state before answering. */
  apply(d: ContractDeployment): Promise<WorkloadState[]>;
  /** Records the contract as refused (every workload known in `error` with the reason); holds nothing. */
  refuse(contractId: number, reason: string): Promise<void>;
  pause(contractId: number): Promise<void>;
  resume(contractId: number): Promise<void>;
  /** Deprovisions and frees everything of the contract (its states become `deleted`). */
  remove(contractId: number): Promise<void>;
  /** After a restart: brings back what was ok (and keeps paused what was paused). */
  recover(): Promise<void>;
  used(contractId: number): Capacity;
  usedTotal(): Capacity;
  free(): Capacity;
  states(contractId?: number): WorkloadState[];
  /** Contracts holding workloads that are not deleted. */
  contracts(): number[];
  /** Stops what runs without freeing it (agent shutdown). */
  stop(): Promise<void>;
  /** Adds a workload kind (the gateway's gateway-name-proxy). */
  register(h: WorkloadHandler): void;
  /** Called after a contract's workloads changed (state or used capacity). */
  onChange(listener: (e: { contractId: number }) => void): () => unknown;
}

export const ZERO: Capacity = { cru: 0, mru: 0, sru: 0, hru: 0 };

/** Whether the contract holds live workloads (ok or paused): what is reported and billed. */
export function isLive(p: ProvisionerPort, contractId: number): boolean {
  return p.states(contractId).some((s) => s.state === 'ok' || s.state === 'paused');
}
