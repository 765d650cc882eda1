/**
 * Node, name and rent contracts (the pallet's grid_contract.rs): creation, update, state
 * changes, public IP reservation, cancellation and removal, and the billing loop's slots.
 */
import type { Overlay } from '../../state/overlay';
import { DispatchFailure, depositEvent, type DispatchContext } from '../dispatch';
import { bytesEqual } from '../../util/hex';
import { billContract } from './billing';
import { validateSolutionProvider } from './solution-providers';
import {
  ActiveNodeContracts,
  ActiveRentContractForNode,
  BillingFrequency,
  CONTRACT_VERSION,
  ContractBillingInformationByID,
  ContractID,
  ContractIDByNameRegistration,
  ContractIDByNodeIDAndHash,
  ContractPaymentState,
  Contracts,
  ContractsToBillAt,
  DedicatedNodesExtraFee,
  Farms,
  NodeContractResources,
  Nodes,
  nowSecs,
  scError,
  smartContract,
  Twins,
  isStandbyPhase,
  twinOfAccount,
  type Contract,
  type ContractData,
  type ContractState,
  type NodeContract,
  type PublicIp,
} from './store';

/** `MaxDeploymentDataLength` (a bound of the call's type: longer data does not decode on the real chain). */
const MAX_DEPLOYMENT_DATA = 512;
const MIN_NAME_LENGTH = 3;
const MAX_NAME_LENGTH = 64;

// ---- billing loop ----

export function insertInBillingLoop(state: Overlay, id: bigint): void {
  const index = id % BillingFrequency.read(state);
  const ids = ContractsToBillAt.read(state, index);
  if (!ids.includes(id)) ContractsToBillAt.set(state, [...ids, id], index);
}

export function removeFromBillingLoop(state: Overlay, id: bigint): void {
  const index = id % BillingFrequency.read(state);
  const ids = ContractsToBillAt.read(state, index);
  if (!ids.includes(id)) throw scError('ContractWrongBillingLoopIndex');
  ContractsToBillAt.set(
    state,
    ids.filter((x) => x !== id),
    index,
  );
}

// ---- public IPs ----

function reserveIps(state: Overlay, id: bigint, nc: NodeContract): void {
  if (nc.public_ips === 0) return;
  const node = Nodes.get(state, nc.node_id);
  if (!node) throw scError('NodeNotExists');
  const farm = Farms.get(state, node.farm_id);
  if (!farm) throw scError('FarmNotExists');
  if (farm.public_ips.length < nc.public_ips) throw scError('FarmHasNotEnoughPublicIPs');
  const reserved: PublicIp[] = [];
  const ips = farm.public_ips.map((ip) => {
    if (reserved.length === nc.public_ips || ip.contract_id !== 0n) return ip;
    const taken = { ...ip, contract_id: id };
    reserved.push(taken);
    return taken;
  });
  if (reserved.length !== nc.public_ips) throw scError('FarmHasNotEnoughPublicIPsFree');
  nc.public_ips_list = reserved;
  Farms.set(state, { ...farm, public_ips: ips }, farm.id);
}

/** Frees the farm IPs held by the contract and emits `IPsFreed` (even when none were held). */
export function freeIps(state: Overlay, id: bigint, nc: NodeContract): void {
  const node = Nodes.get(state, nc.node_id);
  if (!node) throw scError('NodeNotExists');
  const farm = Farms.get(state, node.farm_id);
  if (!farm) throw scError('FarmNotExists');
  const freed: PublicIp[] = [];
  const ips = farm.public_ips.map((ip) => {
    if (ip.contract_id !== id) return ip;
    const free = { ...ip, contract_id: 0n };
    freed.push(free);
    return free;
  });
  Farms.set(state, { ...farm, public_ips: ips }, farm.id);
  depositEvent({ state }, smartContract, 'IPsFreed', { contract_id: id, public_ips: freed });
}

// ---- creation ----

/** `create_contract`: next id, IPs, solution provider, billing loop, payment state. */
function createContract(
  ctx: DispatchContext,
  twinId: number,
  contractType: ContractData,
  solutionProviderId: bigint | undefined,
): Contract {
  const id = ContractID.read(ctx.state) + 1n;
  if (contractType.type === 'NodeContract') reserveIps(ctx.state, id, contractType.value);
  validateSolutionProvider(ctx.state, solutionProviderId);
  insertInBillingLoop(ctx.state, id);
  const contract: Contract = {
    version: CONTRACT_VERSION,
    state: { type: 'Created' },
    contract_id: id,
    twin_id: twinId,
    contract_type: contractType,
    solution_provider_id: solutionProviderId,
  };
  Contracts.set(ctx.state, contract, id);
  ContractID.set(ctx.state, id);
  ContractPaymentState.set(
    ctx.state,
    {
      standard_reserve: 0n,
      additional_reserve: 0n,
      standard_overdraft: 0n,
      additional_overdraft: 0n,
      last_updated_seconds: nowSecs(ctx.block),
      cycles: 0,
    },
    id,
  );
  return contract;
}

export function createNodeContract(
  ctx: DispatchContext,
  who: Uint8Array,
  a: { node_id: number; deployment_hash: Uint8Array; deployment_data: Uint8Array; public_ips: number; solution_provider_id?: bigint },
): void {
  if (a.deployment_data.length > MAX_DEPLOYMENT_DATA) {
    throw new DispatchFailure({ type: 'Other' }, `deployment data is longer than ${MAX_DEPLOYMENT_DATA} bytes`);
  }
  const { state } = ctx;
  const twinId = twinOfAccount(state, who);
  const node = Nodes.get(state, a.node_id);
  if (!node) throw scError('NodeNotExists');
  if (isStandbyPhase(state, a.node_id)) throw scError('NodeNotAvailableToDeploy');
  const farm = Farms.get(state, node.farm_id);
  if (!farm) throw scError('FarmNotExists');
  // A dedicated node (extra fee set, or dedicated farm) takes node contracts only under a rent contract.
  const dedicated = DedicatedNodesExtraFee.read(state, a.node_id) > 0n || farm.dedicated_farm;
  const rentId = ActiveRentContractForNode.get(state, a.node_id);
  if (rentId !== undefined) {
    const rent = Contracts.get(state, rentId);
    if (!rent) throw scError('ContractNotExists');
    if (rent.twin_id !== twinId || rent.state.type !== 'Created') throw scError('NodeNotAvailableToDeploy');
  } else if (dedicated) {
    throw scError('NodeNotAvailableToDeploy');
  }
  // (node, hash) is unique among contracts that are not deleted.
  if (ContractIDByNodeIDAndHash.exists(state, a.node_id, a.deployment_hash)) {
    const existing = Contracts.get(state, ContractIDByNodeIDAndHash.read(state, a.node_id, a.deployment_hash));
    if (!existing) throw scError('ContractNotExists');
    if (existing.state.type !== 'Deleted') throw scError('ContractIsNotUnique');
  }
  const nc: NodeContract = {
    node_id: a.node_id,
    deployment_hash: a.deployment_hash,
    deployment_data: a.deployment_data,
    public_ips: a.public_ips,
    public_ips_list: [],
  };
  const contract = createContract(ctx, twinId, { type: 'NodeContract', value: nc }, a.solution_provider_id);
  ContractBillingInformationByID.set(
    state,
    { last_updated: nowSecs(ctx.block), amount_unbilled: 0n, previous_nu_reported: 0n },
    contract.contract_id,
  );
  ContractIDByNodeIDAndHash.set(state, contract.contract_id, a.node_id, a.deployment_hash);
  ActiveNodeContracts.set(state, [...ActiveNodeContracts.read(state, a.node_id), contract.contract_id], a.node_id);
  depositEvent(ctx, smartContract, 'ContractCreated', contract);
}

export function createRentContract(ctx: DispatchContext, who: Uint8Array, a: { node_id: number; solution_provider_id?: bigint }): void {
  const { state } = ctx;
  if (ActiveRentContractForNode.exists(state, a.node_id)) throw scError('NodeHasRentContract');
  const node = Nodes.get(state, a.node_id);
  if (!node) throw scError('NodeNotExists');
  const farm = Farms.get(state, node.farm_id);
  if (!farm) throw scError('FarmNotExists');
  // Renting a node of a farm that is not dedicated needs the node free of node contracts.
  if (!farm.dedicated_farm && ActiveNodeContracts.read(state, a.node_id).length > 0) throw scError('NodeNotAvailableToDeploy');
  const twinId = twinOfAccount(state, who);
  const contract = createContract(ctx, twinId, { type: 'RentContract', value: { node_id: a.node_id } }, a.solution_provider_id);
  ActiveRentContractForNode.set(state, contract.contract_id, a.node_id);
  depositEvent(ctx, smartContract, 'ContractCreated', contract);
}

/** A name contract's name: 3–64 bytes of `[a-z0-9_-]`. */
export function validateName(name: Uint8Array): void {
  if (name.length < MIN_NAME_LENGTH) throw scError('NameContractNameTooShort');
  if (name.length > MAX_NAME_LENGTH) throw scError('NameContractNameTooLong');
  for (const c of name) {
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
    if (!ok) throw scError('NameNotValid');
  }
}

export function createNameContract(ctx: DispatchContext, who: Uint8Array, name: Uint8Array): void {
  const twinId = twinOfAccount(ctx.state, who);
  validateName(name);
  if (ContractIDByNameRegistration.exists(ctx.state, name)) throw scError('NameExists');
  const contract = createContract(ctx, twinId, { type: 'NameContract', value: { name } }, undefined);
  ContractIDByNameRegistration.set(ctx.state, contract.contract_id, name);
  depositEvent(ctx, smartContract, 'ContractCreated', contract);
}

// ---- update ----

function ownerCheck(ctx: DispatchContext, c: Contract, who: Uint8Array, error: string): void {
  const twin = Twins.get(ctx.state, c.twin_id);
  if (!twin) throw scError('TwinNotExists');
  if (!bytesEqual(twin.account_id, who)) throw scError(error);
}

export function nodeContractOf(c: Contract): NodeContract {
  if (c.contract_type.type !== 'NodeContract') throw scError('InvalidContractType');
  return c.contract_type.value;
}

export function updateNodeContract(
  ctx: DispatchContext,
  who: Uint8Array,
  a: { contract_id: bigint; deployment_hash: Uint8Array; deployment_data: Uint8Array },
): void {
  if (a.deployment_data.length > MAX_DEPLOYMENT_DATA) {
    throw new DispatchFailure({ type: 'Other' }, `deployment data is longer than ${MAX_DEPLOYMENT_DATA} bytes`);
  }
  const { state } = ctx;
  const contract = Contracts.get(state, a.contract_id);
  if (!contract) throw scError('ContractNotExists');
  ownerCheck(ctx, contract, who, 'TwinNotAuthorizedToUpdateContract');
  if (contract.state.type === 'GracePeriod') throw scError('CannotUpdateContractInGraceState');
  const nc = nodeContractOf(contract);
  ContractIDByNodeIDAndHash.remove(state, nc.node_id, nc.deployment_hash);
  ContractIDByNodeIDAndHash.set(state, a.contract_id, nc.node_id, a.deployment_hash);
  const updated: Contract = {
    ...contract,
    contract_type: { type: 'NodeContract', value: { ...nc, deployment_hash: a.deployment_hash, deployment_data: a.deployment_data } },
  };
  Contracts.set(state, updated, a.contract_id);
  depositEvent(ctx, smartContract, 'ContractUpdated', updated);
}

// ---- state ----

function sameState(a: ContractState, b: ContractState): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'Deleted') return (a.value as { type: string }).type === ((b as typeof a).value as { type: string }).type;
  if (a.type === 'GracePeriod') return a.value === (b as typeof a).value;
  return true;
}

/**
 * `update_contract_state`: stores the new state (a contract already in grace keeps its start)
 * and keeps `ActiveNodeContracts` in step: deleted node contracts leave it, created ones join.
 */
export function updateContractState(state: Overlay, contract: Contract, next: ContractState): void {
  if (!sameState(contract.state, next) && !(contract.state.type === 'GracePeriod' && next.type === 'GracePeriod')) {
    contract.state = next;
    Contracts.set(state, contract, contract.contract_id);
  }
  if (contract.contract_type.type !== 'NodeContract') return;
  const nodeId = contract.contract_type.value.node_id;
  const ids = ActiveNodeContracts.read(state, nodeId);
  const at = ids.indexOf(contract.contract_id);
  if (at >= 0 && contract.state.type === 'Deleted')
    ActiveNodeContracts.set(
      state,
      ids.filter((x) => x !== contract.contract_id),
      nodeId,
    );
  else if (at < 0 && next.type === 'Created') ActiveNodeContracts.set(state, [...ids, contract.contract_id], nodeId);
}

// ---- cancel and removal ----

/** Cancels with `cause`: bills what is due (which removes the deleted contract). */
export function doCancel(ctx: DispatchContext, contract: Contract, cause: 'CanceledByUser' | 'CanceledByCollective' | 'OutOfFunds'): void {
  if (contract.contract_type.type === 'RentContract') {
    if (ActiveNodeContracts.read(ctx.state, contract.contract_type.value.node_id).length > 0) throw scError('NodeHasActiveContracts');
  }
  updateContractState(ctx.state, contract, { type: 'Deleted', value: { type: cause } });
  billContract(ctx.state, ctx.block, contract.contract_id);
}

export function cancelContract(ctx: DispatchContext, who: Uint8Array, contractId: bigint): void {
  const contract = Contracts.get(ctx.state, contractId);
  if (!contract) throw scError('ContractNotExists');
  ownerCheck(ctx, contract, who, 'TwinNotAuthorizedToCancelContract');
  doCancel(ctx, contract, 'CanceledByUser');
}

export function cancelContractCollective(ctx: DispatchContext, contractId: bigint): void {
  const contract = Contracts.get(ctx.state, contractId);
  if (!contract) throw scError('ContractNotExists');
  doCancel(ctx, contract, 'CanceledByCollective');
}

/** `remove_contract`: frees IPs, drops every index of the contract, emits the *Canceled event. */
export function removeContract(state: Overlay, contractId: bigint): void {
  const contract = Contracts.get(state, contractId);
  if (!contract) throw scError('ContractNotExists');
  const ct = contract.contract_type;
  if (ct.type === 'NodeContract') {
    const nc = ct.value;
    if (nc.public_ips > 0) {
      // A failure to free (node or farm gone) is logged on the real chain, not raised.
      const layer = state.child();
      try {
        freeIps(layer, contractId, nc);
        layer.commitInto(state);
      } catch (e) {
        if (!(e instanceof DispatchFailure)) throw e;
      }
    }
    const ids = ActiveNodeContracts.read(state, nc.node_id);
    if (ids.includes(contractId))
      ActiveNodeContracts.set(
        state,
        ids.filter((x) => x !== contractId),
        nc.node_id,
      );
    ContractIDByNodeIDAndHash.remove(state, nc.node_id, nc.deployment_hash);
    NodeContractResources.remove(state, contractId);
    ContractBillingInformationByID.remove(state, contractId);
    depositEvent({ state }, smartContract, 'NodeContractCanceled', {
      contract_id: contractId,
      node_id: nc.node_id,
      twin_id: contract.twin_id,
    });
  } else if (ct.type === 'NameContract') {
    ContractIDByNameRegistration.remove(state, ct.value.name);
    depositEvent({ state }, smartContract, 'NameContractCanceled', { contract_id: contractId });
  } else {
    ActiveRentContractForNode.remove(state, ct.value.node_id);
    for (const id of ActiveNodeContracts.read(state, ct.value.node_id)) removeContract(state, id);
    depositEvent({ state }, smartContract, 'RentContractCanceled', { contract_id: contractId });
  }
  Contracts.remove(state, contractId);
  ContractPaymentState.remove(state, contractId);
  removeFromBillingLoop(state, contractId);
}
