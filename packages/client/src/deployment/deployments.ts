/**
 * The one deploy path (`client.deployments`): build → sign → seal to the node → store in the
 * notary and create or update the node contract in one batch → wait for the node's answer.
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { stringToU8a } from '@polkadot/util';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ContractsModule } from '../modules/contracts';
import type { NodesModule } from '../modules/nodes';
import type { TwinsModule } from '../modules/twins';
import type { SubmitOptions, TxResult } from '../tx/types';
import { dataHash, fetchAnswer, type DeploymentAnswer } from './answer';
import { nodeBoxPublicKey } from './chain';
import { kvAt } from './chunks';
import type { Deployment } from './document';
import { prepareDeployment } from './envelope';
import { DeploymentError, DeploymentFailedError, type NodeReason } from './errors';
import { notaryCalls } from './notary';
import { replyKeyPair } from './seal';

export interface CreateOptions {
  /** The contract's public deployment_data. */
  contractData?: string;
  publicIps?: number;
  solutionProviderId?: number | null;
}

export interface Deployed {
  contractId: number;
  nodeId: number;
  hash: string;
  /** What was signed and sent (versions as raised by `update`). */
  deployment: Deployment;
  blockNumber: number | undefined;
  /** `update`: the workloads whose version was raised because their data changed (or that are new). */
  changed: string[];
}

export interface WaitOptions {
  /** Wait for the answer to this deployment hash (default: the contract's). */
  hash?: string;
  /** The deployment sent: each of its workloads must be answered at its version. */
  deployment?: Deployment;
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Every new answer read while waiting. */
  onAnswer?: (a: DeploymentAnswer) => void;
}

const DEFAULT_WAIT_MS = 120_000;

/**
 * What the deploy path uses of the client. Named here, not taken from the client's class, so the
 * deployment folder sits below the client and imports nothing of it.
 */
export interface DeployClient {
  readonly api: ApiPromise;
  readonly nodes: NodesModule;
  readonly twins: TwinsModule;
  readonly contracts: ContractsModule;
  /** All or nothing: the calls in one `utility.batchAll`. */
  batch(txs: SubmittableExtrinsic<'promise'>[], options?: SubmitOptions): Promise<TxResult>;
}

/** The workloads of `a` that failed for deployment `d` (errors, and updates kept at an older version with a reason). */
export function answerFailures(a: DeploymentAnswer, d?: Deployment): NodeReason[] {
  const out: NodeReason[] = a.workloads
    .filter((w) => w.state === 'error')
    .map((w) => ({ name: w.name, reason: w.reason ?? (a.opened ? 'error' : 'error (reason sealed to the deployer)') }));
  for (const w of d?.workloads ?? []) {
    const got = a.workloads.find((x) => x.name === w.name);
    if (got && got.state !== 'error' && got.version < w.version && got.reason) out.push({ name: w.name, reason: got.reason });
  }
  return out;
}

/** Whether every workload of `d` (or of the answer) is up at its version. */
export function answerReady(a: DeploymentAnswer, d?: Deployment): boolean {
  if (!d)
    return (
      a.workloads.length > 0 &&
      a.workloads.every((w) => w.state === 'ok' || w.state === 'deleted') &&
      a.workloads.some((w) => w.state === 'ok')
    );
  return d.workloads.every((w) => a.workloads.some((x) => x.name === w.name && x.state === 'ok' && x.version >= w.version));
}

export function deployments(client: DeployClient, signer: () => KeyringPair | undefined) {
  const api = client.api;
  const pair = (): KeyringPair => {
    const p = signer();
    if (!p) throw new Error('this client has no key: connect with a secret to deploy');
    return p;
  };
  const nodeAccounts = new Map<number, string>();

  /** The account of node `nodeId`'s twin (it signs the answers). */
  async function nodeAccount(nodeId: number): Promise<string> {
    const known = nodeAccounts.get(nodeId);
    if (known) return known;
    const node = await client.nodes.get(nodeId);
    if (!node) throw new Error(`node ${nodeId} does not exist`);
    const twin = await client.twins.get(node.twinId);
    if (!twin) throw new Error(`node ${nodeId}'s twin ${node.twinId} does not exist`);
    nodeAccounts.set(nodeId, twin.accountId);
    return twin.accountId;
  }

  async function send(
    d: Deployment,
    contractCall: (hash: string) => Parameters<DeployClient['batch']>[0][number],
  ): Promise<{ hash: string; r: TxResult }> {
    const p = prepareDeployment(d, pair(), await nodeBoxPublicKey(api, d.node_id));
    const r = await client.batch([...notaryCalls(api, p.sealed, d.node_id, p.hash), contractCall(p.hash)]);
    return { hash: p.hash, r };
  }

  return {
    /** Stores `d` (signed, sealed to its node) and creates its node contract, atomically. */
    async create(d: Deployment, o: CreateOptions = {}): Promise<Deployed> {
      const { hash, r } = await send(d, (h) =>
        api.tx.smartContractModule.createNodeContract(
          d.node_id,
          stringToU8a(h),
          o.contractData ?? '',
          o.publicIps ?? 0,
          o.solutionProviderId ?? null,
        ),
      );
      const created = r.events.find((e) => e.section === 'smartContractModule' && e.method === 'ContractCreated')?.data[0] as
        { contractId?: number } | undefined;
      const contractId = created?.contractId ?? (await client.contracts.idByNodeAndHash(d.node_id, hash));
      if (contractId === undefined) throw new Error('the batch went through but no contract was created');
      return { contractId, nodeId: d.node_id, hash, deployment: d, blockNumber: r.blockNumber, changed: d.workloads.map((w) => w.name) };
    },

    /**
     * Replaces contract `contractId`'s deployment with `d`. The node applies a workload only when
     * its version changes: every workload whose data differs from what the node runs (known from
     * its answer) gets the next version, and the deployment the next version too.
     */
    async update(contractId: number, d: Deployment, o: { contractData?: string } = {}): Promise<Deployed> {
      const c = await client.contracts.get(contractId);
      if (!c || c.state === 'Deleted') throw new Error(`there is no live contract ${contractId}`);
      if (c.type.kind !== 'node')
        throw new Error(`contract ${contractId} is a ${c.type.kind} contract: only node contracts carry a deployment`);
      if (c.type.nodeId !== d.node_id)
        throw new Error(`contract ${contractId} is on node ${c.type.nodeId}, the deployment names node ${d.node_id}`);
      const before = await this.result(contractId).catch(() => null);
      const next = JSON.parse(JSON.stringify(d)) as Deployment; // a plain copy (canonical JSON accepts no other)
      const changed: string[] = [];
      for (const w of next.workloads) {
        const was = before?.workloads.find((x) => x.name === w.name && x.state !== 'deleted');
        // Unknown data (no answer, or sealed): counted as changed, so the node applies it.
        const same = was && was.type === w.type && was.data_hash === dataHash(w.data);
        w.version = Math.max(w.version, was ? (same ? was.version : was.version + 1) : 0);
        if (!same) changed.push(w.name);
      }
      next.version = Math.max(next.version, (before?.version ?? d.version) + 1);
      const { hash, r } = await send(next, (h) =>
        api.tx.smartContractModule.updateNodeContract(contractId, stringToU8a(h), o.contractData ?? ''),
      );
      return { contractId, nodeId: d.node_id, hash, deployment: next, blockNumber: r.blockNumber, changed };
    },

    /** The node's answer for contract `contractId`, its signature verified and (with a key) its private part opened; null when none. */
    async result(contractId: number, o: { nodeId?: number } = {}): Promise<DeploymentAnswer | null> {
      let nodeId = o.nodeId;
      if (nodeId === undefined) {
        const c = await client.contracts.get(contractId);
        if (!c || c.type.kind !== 'node') return null;
        nodeId = c.type.nodeId;
      }
      const p = signer();
      // Manifest and chunks read at one block: an answer the node rewrites meanwhile cannot mix.
      const a = await fetchAnswer(await kvAt(api), await nodeAccount(nodeId), contractId, p ? replyKeyPair(p).secretKey : undefined);
      if (a && a.nodeId !== nodeId)
        throw new DeploymentError('ANSWER_MALFORMED', `the answer for contract ${contractId} names node ${a.nodeId}`);
      return a;
    },

    /**
     * Resolves with the node's answer once every workload is ok; rejects with DeploymentFailedError
     * REFUSED (the node's reasons) as soon as the node publishes an error, CONTRACT_GONE, or TIMEOUT.
     */
    async wait(contractId: number, o: WaitOptions = {}): Promise<DeploymentAnswer> {
      const deadline = Date.now() + (o.timeoutMs ?? DEFAULT_WAIT_MS);
      let last = '';
      for (;;) {
        o.signal?.throwIfAborted();
        const c = await client.contracts.get(contractId);
        if (!c || c.state === 'Deleted' || c.type.kind !== 'node')
          throw new DeploymentFailedError(
            'CONTRACT_GONE',
            contractId,
            `contract ${contractId} is ${c ? `${c.state} (${c.deletedCause ?? c.type.kind})` : 'gone'}`,
          );
        const hash = o.hash ?? c.type.deploymentHash;
        const a = await this.result(contractId, { nodeId: c.type.nodeId });
        if (a && a.hash === hash) {
          const seen = `${a.updatedAt}`;
          if (seen !== last) o.onAnswer?.(a);
          last = seen;
          const failed = answerFailures(a, o.deployment);
          if (failed.length)
            throw new DeploymentFailedError(
              'REFUSED',
              contractId,
              `node ${a.nodeId} refused: ${failed.map((f) => `${f.name}: ${f.reason}`).join('; ')}`,
              failed,
            );
          if (answerReady(a, o.deployment)) return a;
        }
        if (Date.now() >= deadline)
          throw new DeploymentFailedError(
            'TIMEOUT',
            contractId,
            `node ${c.type.nodeId} did not answer for contract ${contractId} within ${Math.round((o.timeoutMs ?? DEFAULT_WAIT_MS) / 1000)} s`,
          );
        await new Promise((r) => setTimeout(r, Math.min(o.pollMs ?? 1000, Math.max(0, deadline - Date.now()))));
      }
    },
  };
}
export type DeploymentsModule = ReturnType<typeof deployments>;
