/**
 * What the protocol reads from chain: a node contract's terms, a twin's keys, the node's published
 * box key; and the node's whole receive path (contract → notary → open) in one call.
 */
import type { ApiPromise } from '@polkadot/api';
import { hexToU8a } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { decodeContract, decodeNode, decodeTwin, type ContractState } from '../chain';
import { unwrap } from '../modules/context';
import { DeploymentError } from './errors';
import { fetchDeployment } from './notary';
import { openDeployment, type OpenedDeployment } from './open';
import { nodeBoxKeyPair } from './seal';

/** The protocol's spelling of a contract's state (the chain JSON's variant key). */
export type NodeContractState = 'created' | 'gracePeriod' | 'deleted';

export interface NodeContractInfo {
  contract_id: number;
  twin_id: number;
  node_id: number;
  /** The 32 ASCII characters of the hash. */
  deployment_hash: string;
  state: NodeContractState;
}

export interface TwinInfo {
  twin_id: number;
  account_id: string;
  /** The account's public key (what the twin signs with). */
  public_key: Uint8Array;
  /** The twin's published `pk` (a node's box public key), or null. */
  pk: Uint8Array | null;
}

const STATES: Record<ContractState, NodeContractState> = { Created: 'created', GracePeriod: 'gracePeriod', Deleted: 'deleted' };

/** The node contract `contractId`, or null when it does not exist or is not a node contract. */
export async function readNodeContract(api: ApiPromise, contractId: number): Promise<NodeContractInfo | null> {
  const v = unwrap(await api.query.smartContractModule.contracts(contractId));
  if (!v) return null;
  const c = decodeContract(v.toJSON());
  if (c.type.kind !== 'node') return null;
  return { contract_id: c.id, twin_id: c.twinId, node_id: c.type.nodeId, deployment_hash: c.type.deploymentHash, state: STATES[c.state] };
}

/** Twin `twinId`, or null. */
export async function readTwin(api: ApiPromise, twinId: number): Promise<TwinInfo | null> {
  const v = unwrap(await api.query.tfgridModule.twins(twinId));
  if (!v) return null;
  const t = decodeTwin(v.toJSON());
  return { twin_id: t.id, account_id: t.accountId, public_key: decodeAddress(t.accountId), pk: t.pk ? hexToU8a(t.pk) : null };
}

/** The box public key node `nodeId` publishes in its twin's pk (what deployers seal to). */
export async function nodeBoxPublicKey(api: ApiPromise, nodeId: number): Promise<Uint8Array> {
  const v = unwrap(await api.query.tfgridModule.nodes(nodeId));
  if (!v) throw new Error(`node ${nodeId} does not exist`);
  const twin = await readTwin(api, decodeNode(v.toJSON()).twinId);
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
