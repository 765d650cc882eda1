/**
 * What nodes report about the contracts they host: used resources (billed as CU/SU) and
 * network usage (NRU, added to the contract's unbilled amount). Both are free for the node.
 */
import { depositEvent, type DispatchContext, type PostInfo } from '../dispatch';
import { nodeContractOf } from './contracts';
import { nruCost } from './cost';
import {
  ContractBillingInformationByID,
  Contracts,
  Farms,
  NodeContractResources,
  NodeIdByTwinID,
  Nodes,
  PricingPolicies,
  scError,
  smartContract,
  twinOfAccount,
  type Resources,
} from './store';

export function reportContractResources(
  ctx: DispatchContext,
  who: Uint8Array,
  reports: { contract_id: bigint; used: Resources }[],
): PostInfo {
  const { state } = ctx;
  const twinId = twinOfAccount(state, who);
  if (!NodeIdByTwinID.exists(state, twinId)) throw scError('NodeNotExists');
  const nodeId = NodeIdByTwinID.read(state, twinId);
  for (const report of reports) {
    const contract = Contracts.get(state, report.contract_id);
    if (!contract) continue;
    if (nodeContractOf(contract).node_id !== nodeId) throw scError('NodeNotAuthorizedToComputeReport');
    NodeContractResources.set(state, report, report.contract_id);
    depositEvent(ctx, smartContract, 'UpdatedUsedResources', report);
  }
  return { paysFee: 'No' };
}

export function addNruReports(
  ctx: DispatchContext,
  who: Uint8Array,
  reports: { contract_id: bigint; timestamp: bigint; window: bigint; nru: bigint }[],
): PostInfo {
  const { state } = ctx;
  const twinId = twinOfAccount(state, who);
  const nodeId = NodeIdByTwinID.read(state, twinId);
  const node = Nodes.get(state, nodeId);
  if (!node) throw scError('NodeNotExists');
  const farm = Farms.get(state, node.farm_id);
  if (!farm) throw scError('FarmNotExists');
  const policy = PricingPolicies.get(state, farm.pricing_policy_id);
  if (!policy) throw scError('PricingPolicyNotExists');
  for (const report of reports) {
    const contract = Contracts.get(state, report.contract_id);
    if (!contract || !ContractBillingInformationByID.exists(state, report.contract_id)) continue;
    if (nodeContractOf(contract).node_id !== nodeId) throw scError('NodeNotAuthorizedToComputeReport');
    const info = ContractBillingInformationByID.read(state, report.contract_id);
    // A report older than the last one counted is ignored (its event is still emitted).
    if (report.timestamp >= info.last_updated) {
      ContractBillingInformationByID.set(
        state,
        { ...info, amount_unbilled: info.amount_unbilled + nruCost(report.nru, report.window, policy), last_updated: report.timestamp },
        report.contract_id,
      );
    }
    depositEvent(ctx, smartContract, 'NruConsumptionReportReceived', report);
  }
  return { paysFee: 'No' };
}
