/**
 * What the protocol reads from chain: a node contract's terms, a twin's keys, the node's published
 * box key; and the node's whole receive path (contract → notary → open) in one call.
 */
import type { ApiPromise } from '@polkadot/api';
import { hexToU8a, u8aToString } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { DeploymentError } from './errors';
import { fetchDeployment } from './notary';
import { openDeployment, type OpenedDeployment } from './open';
import { nodeBoxKeyPair } from './seal';

export interface NodeContractInfo {
  contract_id: number;
  twin_id: number;
  node_id: number;
  /** The 32 ASCII characters of the hash. */
  deployment_hash: string;
  /** 'created' | 'deleted' | 'gracePeriod'. */
  state: string;
}

export interface TwinInfo {
  twin_id: number;
  account_id: string;
  /** The account's public key (what the twin signs with). */
  public_key: Uint8Array;
  /** The twin's published `pk` (a node's box public key), or null. */
  pk: Uint8Array | null;
}

type Opt = { isSome: boolean; unwrap(): { toJSON(): unknown } };
const hexText = (h: string): string => u8aToString(hexToU8a(h));

/** The node contract `contractId`, or null when it does not exist or is not a node contract. */
export async function readNodeContract(api: ApiPromise, contractId: number): Promise<NodeContractInfo | null> {
  const c = (await api.query.smartContractModule.contracts(contractId)) as unknown as Opt;
  if (!c.isSome) return null;
  const j = c.unwrap().toJSON() as {
    contractId: number;
    twinId: number;
    state: Record<string, unknown>;
    contractType: { nodeContract?: { nodeId: number; deploymentHash: string } };
  };
  const nc = j.contractType.nodeContract;
  if (!nc) return null;
  return {
    contract_id: j.contractId,
    twin_id: j.twinId,
    node_id: nc.nodeId,
    deployment_hash: hexText(nc.deploymentHash),
    state: Object.keys(j.state)[0],
  };
}

/** Twin `twinId`, or null. */
export async function readTwin(api: ApiPromise, twinId: number): Promise<TwinInfo | null> {
  const t = (await api.query.tfgridModule.twins(twinId)) as unknown as Opt;
  if (!t.isSome) return null;
  const j = t.unwrap().toJSON() as { id: number; accountId: string; pk: string | null };
  return { twin_id: j.id, account_id: j.accountId, public_key: decodeAddress(j.accountId), pk: j.pk ? hexToU8a(j.pk) : null };
}

/** The box public key node `nodeId` publishes in its twin's pk (what deployers seal to). */
export async function nodeBoxPublicKey(api: ApiPromise, nodeId: number): Promise<Uint8Array> {
  const n = (await api.query.tfgridModule.nodes(nodeId)) as unknown as Opt;
  if (!n.isSome) throw new Error(`node ${nodeId} does not exist`);
  const twin = await readTwin(api, (n.unwrap().toJSON() as { twinId: number }).twinId);
  if (!twin?.pk || twin.pk.length !== 32) throw new Error(`node ${nodeId} publishes no box public key in its twin's pk`);
  return twin.pk;
}

/**
 * The node's receive path: reads contract `contractId`, fetches the sealed deployment from the
 * owner twin's notary, opens and verifies it against the contract.
 */
export async function receiveDeployment(
  api: ApiPromise,
  contractId: number,
  nodeSeed: Uint8Array,
): Promise<OpenedDeployment & { contract: NodeContractInfo }> {
  const contract = await readNodeContract(api, contractId);
  if (!contract) throw new Error(`contract ${contractId} is not a node contract`);
  const owner = await readTwin(api, contract.twin_id);
  if (!owner) throw new DeploymentError('CONTRACT_MISMATCH', `the contract's twin ${contract.twin_id} does not exist`);
  const sealed = await fetchDeployment(api, owner.account_id, contract.node_id, contract.deployment_hash);
  const opened = openDeployment({ sealed, boxSecretKey: nodeBoxKeyPair(nodeSeed).secretKey, contract, ownerPublicKey: owner.public_key });
  return { ...opened, contract };
}
