/**
 * pallet_smart_contract (index 26, `SmartContractModule`): node, name and rent contracts, node
 * reports, billing with grace periods, solution providers and service contracts.
 *
 * The real chain bills from an offchain worker that submits `bill_contract_for_block` for each
 * contract of the block's billing slot; here the pallet's `onInitialize` hook bills the slot of
 * every block directly (same result, no signer needed). The call stays open to anyone.
 */
import type { Overlay } from '../../state/overlay';
import { DispatchFailure, depositEvent, ensureRootOrCouncil, ensureSigned, weight, type BlockEnv, type PalletImpl } from '../dispatch';
import { billContract, billContractsForBlock } from './billing';
import {
  cancelContract,
  cancelContractCollective,
  createNameContract,
  createNodeContract,
  createRentContract,
  freeIps,
  updateContractState,
  updateNodeContract,
} from './contracts';
import { addNruReports, reportContractResources } from './reports';
import {
  serviceContractApprove,
  serviceContractBill,
  serviceContractCancel,
  serviceContractCreate,
  serviceContractReject,
  serviceContractSetFees,
  serviceContractSetMetadata,
} from './service-contracts';
import { approveSolutionProvider, attachSolutionProvider, createSolutionProvider } from './solution-providers';
import {
  ActiveNodeContracts,
  ActiveRentContractForNode,
  BillingFrequency,
  ContractPaymentState,
  Contracts,
  DedicatedNodesExtraFee,
  Farms,
  nowSecs,
  scError,
  setGracePeriod,
  smartContract,
  Nodes,
  twinOfAccount,
  isStandby,
} from './store';

/** Benchmarked weight: base ref time plus RocksDB reads (25 µs) and writes (100 µs). */
const w = (base: number, reads: number, writes: number) => () => weight(base + reads * 25_000_000 + writes * 100_000_000, 10_000);

export const smartContractPallet: PalletImpl = {
  decl: smartContract,
  meta: {
    create_node_contract: { weight: w(134_000_000, 10, 8) },
    update_node_contract: { weight: w(60_000_000, 4, 3) },
    cancel_contract: { weight: w(120_000_000, 14, 10) },
    create_name_contract: { weight: w(60_000_000, 5, 5) },
    add_nru_reports: { weight: w(100_000_000, 7, 1) },
    report_contract_resources: { weight: w(50_000_000, 3, 1) },
    create_rent_contract: { weight: w(80_000_000, 8, 5) },
    bill_contract_for_block: { weight: w(132_000_000, 14, 2) },
    cancel_contract_collective: { weight: w(120_000_000, 14, 10) },
  },
  calls: {
    create_node_contract(ctx, a) {
      createNodeContract(ctx, ensureSigned(ctx.origin), a);
    },
    update_node_contract(ctx, a) {
      updateNodeContract(ctx, ensureSigned(ctx.origin), a);
    },
    cancel_contract(ctx, a: { contract_id: bigint }) {
      cancelContract(ctx, ensureSigned(ctx.origin), a.contract_id);
    },
    create_name_contract(ctx, a: { name: Uint8Array }) {
      createNameContract(ctx, ensureSigned(ctx.origin), a.name);
    },
    add_nru_reports(ctx, a) {
      return addNruReports(ctx, ensureSigned(ctx.origin), a.reports);
    },
    report_contract_resources(ctx, a) {
      return reportContractResources(ctx, ensureSigned(ctx.origin), a.contract_resources);
    },
    create_rent_contract(ctx, a) {
      createRentContract(ctx, ensureSigned(ctx.origin), a);
    },
    create_solution_provider(ctx, a) {
      ensureSigned(ctx.origin);
      createSolutionProvider(ctx, a);
    },
    approve_solution_provider(ctx, a: { solution_provider_id: bigint; approve: boolean }) {
      ensureRootOrCouncil(ctx.origin);
      approveSolutionProvider(ctx, a.solution_provider_id, a.approve);
    },
    bill_contract_for_block(ctx, a: { contract_id: bigint }) {
      ensureSigned(ctx.origin);
      billContract(ctx.state, ctx.block, a.contract_id);
    },
    service_contract_create(ctx, a: { service_account: Uint8Array; consumer_account: Uint8Array }) {
      serviceContractCreate(ctx, ensureSigned(ctx.origin), a.service_account, a.consumer_account);
    },
    service_contract_set_metadata(ctx, a: { service_contract_id: bigint; metadata: Uint8Array }) {
      serviceContractSetMetadata(ctx, ensureSigned(ctx.origin), a.service_contract_id, a.metadata);
    },
    service_contract_set_fees(ctx, a: { service_contract_id: bigint; base_fee: bigint; variable_fee: bigint }) {
      serviceContractSetFees(ctx, ensureSigned(ctx.origin), a.service_contract_id, a.base_fee, a.variable_fee);
    },
    service_contract_approve(ctx, a: { service_contract_id: bigint }) {
      serviceContractApprove(ctx, ensureSigned(ctx.origin), a.service_contract_id);
    },
    service_contract_reject(ctx, a: { service_contract_id: bigint }) {
      serviceContractReject(ctx, ensureSigned(ctx.origin), a.service_contract_id);
    },
    service_contract_cancel(ctx, a: { service_contract_id: bigint }) {
      serviceContractCancel(ctx, ensureSigned(ctx.origin), a.service_contract_id, 'CanceledByUser');
    },
    service_contract_bill(ctx, a: { service_contract_id: bigint; variable_amount: bigint; metadata: Uint8Array }) {
      serviceContractBill(ctx, ensureSigned(ctx.origin), a.service_contract_id, a.variable_amount, a.metadata);
    },
    change_billing_frequency(ctx, a: { frequency: bigint }) {
      ensureRootOrCouncil(ctx.origin);
      if (a.frequency <= BillingFrequency.read(ctx.state)) throw scError('CanOnlyIncreaseFrequency');
      BillingFrequency.set(ctx.state, a.frequency);
      depositEvent(ctx, smartContract, 'BillingFrequencyChanged', a.frequency);
    },
    attach_solution_provider_id(ctx, a: { contract_id: bigint; solution_provider_id: bigint }) {
      attachSolutionProvider(ctx, ensureSigned(ctx.origin), a.contract_id, a.solution_provider_id);
    },
    set_dedicated_node_extra_fee(ctx, a: { node_id: number; extra_fee: bigint }) {
      const twinId = twinOfAccount(ctx.state, ensureSigned(ctx.origin));
      const node = Nodes.get(ctx.state, a.node_id);
      if (!node) throw scError('NodeNotExists');
      const farm = Farms.get(ctx.state, node.farm_id);
      if (!farm) throw scError('FarmNotExists');
      if (farm.twin_id !== twinId) throw scError('UnauthorizedToSetExtraFee');
      if (!nodeHasNoActiveContracts(ctx.state, a.node_id)) throw scError('NodeHasActiveContracts');
      DedicatedNodesExtraFee.set(ctx.state, a.extra_fee, a.node_id);
      depositEvent(ctx, smartContract, 'NodeExtraFeeSet', { node_id: a.node_id, extra_fee: a.extra_fee });
    },
    cancel_contract_collective(ctx, a: { contract_id: bigint }) {
      ensureRootOrCouncil(ctx.origin);
      cancelContractCollective(ctx, a.contract_id);
    },
  },
  onInitialize(ctx) {
    billContractsForBlock(ctx.state, ctx.block);
  },
  /** `genesis.smartContractModule`: `{ billingFrequency, gracePeriodBlocks }` (dev: 10 and 14 days). */
  genesis(state, config) {
    const c = (config.smartContractModule ?? {}) as { billingFrequency?: number | string; gracePeriodBlocks?: number | string };
    if (c.billingFrequency !== undefined) {
      const f = BigInt(c.billingFrequency);
      if (f < 1n) throw new Error('chain spec: smartContractModule.billingFrequency must be at least 1');
      BillingFrequency.set(state, f);
    }
    if (c.gracePeriodBlocks !== undefined) setGracePeriod(state, BigInt(c.gracePeriodBlocks));
  },
};

/** `NodeActiveContracts::node_has_no_active_contracts`: no node contract and no rent contract. */
export function nodeHasNoActiveContracts(state: Overlay, nodeId: number): boolean {
  return ActiveNodeContracts.read(state, nodeId).length === 0 && !ActiveRentContractForNode.exists(state, nodeId);
}

// ---- what TfgridModule calls on the real runtime (`ChangeNode`, `PublicIpModifier`) ----

/** A node was deleted: its node contracts and its rent contract are canceled and billed. */
export function onNodeDeleted(state: Overlay, block: BlockEnv, nodeId: number): void {
  const cancel = (id: bigint): void => {
    const c = Contracts.get(state, id);
    if (!c) return;
    const layer = state.child();
    try {
      updateContractState(layer, c, { type: 'Deleted', value: { type: 'CanceledByUser' } });
      billContract(layer, block, id);
      layer.commitInto(state);
    } catch (e) {
      // The real hook logs the failure and goes on.
      if (!(e instanceof DispatchFailure)) throw e;
    }
  };
  for (const id of ActiveNodeContracts.read(state, nodeId)) cancel(id);
  const rent = ActiveRentContractForNode.get(state, nodeId);
  if (rent !== undefined) cancel(rent);
}

/** A rented node came back up: its rent is billed from now on, not for the time it slept. */
export function onNodePowerStateChanged(state: Overlay, block: BlockEnv, nodeId: number): void {
  if (isStandby(state, nodeId)) return;
  const rent = ActiveRentContractForNode.get(state, nodeId);
  if (rent === undefined) return;
  const ps = ContractPaymentState.get(state, rent);
  if (ps) ContractPaymentState.set(state, { ...ps, last_updated_seconds: nowSecs(block) }, rent);
}

/** A farm IP was removed (force_reset_farm_ip): the node contract holding it lets it go. */
export function onPublicIpRemoved(state: Overlay, ip: { contract_id: bigint }): void {
  const c = Contracts.get(state, ip.contract_id);
  if (!c || c.contract_type.type !== 'NodeContract') return;
  const nc = { ...c.contract_type.value };
  if (nc.public_ips > 0) {
    const layer = state.child();
    try {
      freeIps(layer, ip.contract_id, nc);
      layer.commitInto(state);
    } catch (e) {
      // logged on the real chain
      if (!(e instanceof DispatchFailure)) throw e;
    }
  }
  Contracts.set(state, { ...c, contract_type: { type: 'NodeContract', value: nc } }, ip.contract_id);
}
