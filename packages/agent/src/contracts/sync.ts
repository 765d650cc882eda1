/**
 * What one contract event or one reconciliation does to this node's workloads. Every step reads
 * the contract as the chain holds it now, so replaying an old event (after a crash, or while
 * catching up) converges to the same state: the handlers are idempotent.
 * Chain read failures propagate (the follower retries); a deployment that cannot be accepted is
 * refused with its reason and never retried until its hash changes.
 */
import type { Logger } from 'pino';
import { dataHash, DeploymentError, receiveDeployment, type Contract, type TfchainClient } from '@tfgrid/client';
import type { AnswerSink } from '../answers/publisher';
import type { AgentMetrics } from '../core/metrics';
import type { ContractEvent } from './events';
import type { Ledger } from './ledger';
import type { ProvisionerPort } from '../core/provisioner-port';
import { errorCode } from '../core/coded-error';

export interface SyncOptions {
  client: TfchainClient;
  nodeId: number;
  nodeSeed: () => Uint8Array;
  provisioner: ProvisionerPort;
  ledger: Ledger;
  log: Logger;
  metrics?: AgentMetrics;
  signal: () => AbortSignal;
  /** A chain read that neither answers nor fails within this is abandoned and retried (default 20 s). */
  readTimeoutMs?: number;
  /** Told which deployment each contract's states answer (the node publishes them to the deployer). */
  answers?: AnswerSink;
}

/** The metric label of a refusal: the error's code (a DeploymentError's, CAPACITY, ...) or PROVISION_FAILED. */
export function refusalCode(e: unknown): string {
  if (e instanceof DeploymentError) return e.code;
  return errorCode(e) ?? 'PROVISION_FAILED';
}

export class ContractSync {
  readonly #o: SyncOptions;

  constructor(o: SyncOptions) {
    this.#o = o;
  }

  /** A read sent as the socket drops may never settle: it fails after readTimeoutMs so the follower retries. */
  #read<T>(p: Promise<T>, what: string): Promise<T> {
    const ms = this.#o.readTimeoutMs ?? 20_000;
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`chain read timed out after ${ms} ms: ${what}`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(t));
  }

  /** Acts on one event; answers whether it concerned this node. */
  async onEvent(ce: ContractEvent): Promise<boolean> {
    const { nodeId, ledger } = this.#o;
    switch (ce.kind) {
      case 'node-contract':
        if (ce.nodeId !== nodeId) return false;
        await this.converge(ce.contractId);
        return true;
      case 'node-contract-canceled':
        if (ce.nodeId !== nodeId) return false;
        await this.#remove(ce.contractId, 'canceled');
        return true;
      case 'grace-started':
      case 'grace-ended':
        if (ce.nodeId !== nodeId || ledger.rent?.contractId === ce.contractId) return ce.nodeId === nodeId;
        await this.converge(ce.contractId);
        return true;
      case 'grace-elapsed':
        if (!ledger.entry(ce.contractId)) return false;
        await this.converge(ce.contractId);
        return true;
      case 'rent-contract':
        if (ce.nodeId !== nodeId) return false;
        ledger.rent = { contractId: ce.contractId, twinId: ce.twinId };
        this.#o.log.info({ contractId: ce.contractId, renter: ce.twinId }, 'node rented: dedicated to its renter');
        return true;
      case 'rent-contract-canceled':
        if (ledger.rent?.contractId !== ce.contractId) return false;
        ledger.rent = null;
        this.#o.log.info({ contractId: ce.contractId }, 'rent contract canceled: node shared again');
        return true;
      default:
        return false;
    }
  }

  /** ActiveNodeContracts and each contract's state → provisioned, paused, removed; the rent contract. */
  async reconcile(): Promise<void> {
    const { client, nodeId, provisioner, ledger } = this.#o;
    const active = await this.#read(client.contracts.activeForNode(nodeId), 'ActiveNodeContracts');
    const rentId = await this.#read(client.contracts.activeRentForNode(nodeId), 'ActiveRentContractForNode');
    if (rentId === undefined) ledger.rent = null;
    else if (ledger.rent?.contractId !== rentId) {
      const rent = await this.#read(client.contracts.get(rentId), `contract ${rentId}`);
      ledger.rent = rent ? { contractId: rentId, twinId: rent.twinId } : null;
    }
    for (const id of active) {
      if (this.#o.signal().aborted) return;
      await this.converge(id);
    }
    const live = new Set(active);
    for (const id of new Set([...provisioner.contracts(), ...ledger.ids()])) {
      if (!live.has(id)) await this.#remove(id, 'no longer active on chain');
    }
  }

  /** Brings one contract to what the chain says now. */
  async converge(contractId: number): Promise<void> {
    const { client, nodeId, ledger, provisioner, log } = this.#o;
    const c = await this.#read(client.contracts.get(contractId), `contract ${contractId}`);
    if (!c || c.type.kind !== 'node' || c.type.nodeId !== nodeId || c.state === 'Deleted') {
      await this.#remove(contractId, c ? `contract ${c.state}` : 'contract gone');
      return;
    }
    const hash = c.type.deploymentHash;
    const entry = ledger.entry(contractId);
    if (entry?.hash === hash && entry.outcome === 'refused') return;
    // Applied again: a new hash, nothing held, or a workload the restart could not bring back
    // (e.g. its handler needed the chain, which it has now).
    const states = provisioner.states(contractId);
    const unrecovered = states.some((s) => s.state === 'error' && s.code === 'RECOVERY_FAILED');
    if (entry?.hash !== hash || states.length === 0 || unrecovered) {
      const ok = await this.#provision(c, hash);
      if (!ok) return;
      log.info({ contractId, twinId: c.twinId, hash, state: c.state }, 'contract provisioned');
    }
    await this.#syncGrace(contractId, c);
  }

  /** Fetches, opens and verifies the deployment, then applies it; false when refused. */
  async #provision(c: Contract, hash: string): Promise<boolean> {
    const { client, provisioner, ledger, log } = this.#o;
    const contractId = c.id;
    let opened;
    try {
      opened = await this.#read(receiveDeployment(client.api, contractId, this.#o.nodeSeed()), `deployment of contract ${contractId}`);
    } catch (e) {
      if (!(e instanceof DeploymentError)) throw e; // a chain read: retried by the follower
      await this.#refuse(contractId, c.twinId, hash, e);
      return false;
    }
    if (opened.contract.deployment_hash !== hash) throw new Error(`contract ${contractId} changed while it was read`);
    const d = opened.deployment;
    this.#o.answers?.note(contractId, {
      twinId: c.twinId,
      hash,
      version: d.version,
      ...(opened.replyTo ? { replyTo: Buffer.from(opened.replyTo).toString('hex') } : {}),
      dataHashes: Object.fromEntries(d.workloads.map((w) => [w.name, dataHash(w.data)])),
    });
    try {
      const publicIps = c.type.kind === 'node' ? c.type.publicIpsList.map((p) => ({ ip: p.ip, gateway: p.gateway })) : [];
      const states = await provisioner.apply({ contractId, twinId: c.twinId, hash, deployment: opened.deployment, publicIps });
      const failed = states.filter((s) => s.state === 'error');
      if (states.length > 0 && failed.length === states.length) {
        // Nothing came up (capacity, invalid for this node...): the deployment is refused as a whole.
        const reason = failed[0]!.reason ?? 'provisioning failed';
        this.#refused(contractId, c.twinId, hash, failed[0]!.code ?? 'PROVISION_FAILED', reason);
        return false;
      }
      if (failed.length) log.warn({ contractId, failed: failed.map((s) => ({ name: s.name, reason: s.reason })) }, 'some workloads failed');
    } catch (e) {
      await this.#refuse(contractId, c.twinId, hash, e);
      return false;
    }
    ledger.set(contractId, { hash, twinId: c.twinId, outcome: 'applied' });
    return true;
  }

  /** Refuses a deployment nothing of was provisioned: every workload in error with the reason. */
  async #refuse(contractId: number, twinId: number, hash: string, e: unknown): Promise<void> {
    const code = refusalCode(e);
    // A DeploymentError's message starts with its code already.
    const reason = e instanceof DeploymentError ? e.message : `${code}: ${(e as Error).message}`;
    this.#o.answers?.note(contractId, { twinId, hash, version: -1 });
    await this.#o.provisioner.refuse(contractId, reason);
    this.#refused(contractId, twinId, hash, code, reason);
  }

  /** A refusal's record: never retried until the hash changes; counted and logged. */
  #refused(contractId: number, twinId: number, hash: string, code: string, reason: string): void {
    this.#o.ledger.set(contractId, { hash, twinId, outcome: 'refused', reason });
    this.#o.metrics?.refused(code);
    this.#o.log.warn({ contractId, twinId, reason }, 'deployment refused');
  }

  /** Grace period → paused; back to Created → running. */
  async #syncGrace(contractId: number, c: Contract): Promise<void> {
    const { provisioner, log } = this.#o;
    const states = provisioner.states(contractId);
    if (c.state === 'GracePeriod' && states.some((s) => s.state === 'ok')) {
      await provisioner.pause(contractId);
      log.info({ contractId }, 'contract in grace period: workloads paused');
    } else if (c.state === 'Created' && states.some((s) => s.state === 'paused')) {
      await provisioner.resume(contractId);
      log.info({ contractId }, 'contract out of grace period: workloads resumed');
    }
  }

  async #remove(contractId: number, why: string): Promise<void> {
    const { provisioner, ledger, log } = this.#o;
    const held = provisioner.states(contractId).some((s) => s.state !== 'deleted');
    if (held) {
      await provisioner.remove(contractId);
      log.info({ contractId, why }, 'contract workloads removed');
    }
    ledger.delete(contractId);
  }
}
