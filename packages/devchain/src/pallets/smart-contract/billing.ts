/**
 * Billing (the pallet's billing.rs, spec 152): what is due is reserved on the twin's account
 * each cycle, an unpaid amount becomes an overdraft and puts the contract in grace, and the
 * reserve is distributed (farmer 50 %, foundation 40 %, staking pool 10 %) every 24 cycles or
 * when the contract ends.
 */
import type { Overlay, StateReader } from '../../state/overlay';
import { DispatchFailure, depositEvent, type BlockEnv } from '../dispatch';
import { canReserve, reserve, transferReserved, usableBalance } from './currency';
import { contractCostTft, extraFeeCostTft, type DiscountLevel } from './cost';
import { percentOf } from './fixed';
import { removeContract, updateContractState } from './contracts';
import {
  ActiveNodeContracts,
  ActiveRentContractForNode,
  BillingFrequency,
  ContractBillingInformationByID,
  ContractPaymentState,
  Contracts,
  ContractsToBillAt,
  DISTRIBUTION_FREQUENCY,
  Farms,
  gracePeriod,
  NodeContractResources,
  Nodes,
  nodeIdOf,
  nowSecs,
  PricingPolicies,
  scError,
  smartContract,
  STAKING_POOL_ACCOUNT,
  TwinBoundedAccountID,
  Twins,
  isStandby,
  type Contract,
  type ContractState,
  type PaymentState,
  type PricingPolicy,
  type Twin,
} from './store';

const hasOverdraft = (ps: PaymentState): boolean => ps.standard_overdraft > 0n || ps.additional_overdraft > 0n;
const hasReserve = (ps: PaymentState): boolean => ps.standard_reserve > 0n || ps.additional_reserve > 0n;

/** The offchain worker's filter: node contracts with nothing to bill are skipped. */
export function shouldBill(state: StateReader, c: Contract): boolean {
  if (c.contract_type.type !== 'NodeContract') return true;
  const used = NodeContractResources.read(state, c.contract_id).used;
  const billIp = c.contract_type.value.public_ips > 0;
  const billCuSu = used.hru > 0n || used.sru > 0n || used.cru > 0n || used.mru > 0n;
  const billNu = ContractBillingInformationByID.read(state, c.contract_id).amount_unbilled > 0n;
  const ps = ContractPaymentState.get(state, c.contract_id);
  return billIp || billCuSu || billNu || (ps !== undefined && hasOverdraft(ps));
}

/**
 * What the real chain's offchain worker does for block n, run at the start of block n: every
 * contract of slot `n % BillingFrequency` that has something to bill is billed, each in its own
 * transactional layer (a failing bill leaves nothing behind, as a failed extrinsic would).
 */
export function billContractsForBlock(state: Overlay, block: BlockEnv): void {
  const index = BigInt(block.number) % BillingFrequency.read(state);
  for (const id of ContractsToBillAt.read(state, index)) {
    const c = Contracts.get(state, id);
    if (!c || !shouldBill(state, c)) continue;
    const layer = state.child();
    try {
      billContract(layer, block, id);
      layer.commitInto(state);
    } catch (e) {
      if (!(e instanceof DispatchFailure)) throw e;
    }
  }
}

/** `bill_contract`: bills a node, name or rent contract for the seconds since it was last billed. */
export function billContract(state: Overlay, block: BlockEnv, contractId: bigint): void {
  const contract = Contracts.get(state, contractId);
  if (!contract) throw scError('ContractNotExists');
  const src = Twins.get(state, contract.twin_id);
  if (!src) throw scError('TwinNotExists');
  const policy = PricingPolicies.get(state, 1);
  if (!policy) throw scError('PricingPolicyNotExists');
  let farmer: Twin | undefined;
  let certified = false;
  if (contract.contract_type.type !== 'NameContract') {
    const node = Nodes.get(state, nodeIdOf(contract));
    if (!node) throw scError('NodeNotExists');
    const farm = Farms.get(state, node.farm_id);
    if (!farm) throw scError('FarmNotExists');
    farmer = Twins.get(state, farm.twin_id);
    if (!farmer) throw scError('TwinNotExists');
    certified = node.certification.type === 'Certified';
  }
  const ps = ContractPaymentState.get(state, contractId);
  if (!ps) throw scError('ContractPaymentStateNotExists');

  const twinUsable = usableBalance(state, src.account_id);
  const stash = TwinBoundedAccountID.get(state, src.id);
  const totalUsable = twinUsable + (stash ? usableBalance(state, stash) : 0n);
  const now = nowSecs(block);
  const secs = now > ps.last_updated_seconds ? now - ps.last_updated_seconds : 0n;

  // A rented node in standby: the rent is waived (and the cycle does not advance while Created).
  const waive = contract.contract_type.type === 'RentContract' && isStandby(state, contract.contract_type.value.node_id);
  if (waive) {
    depositEvent({ state }, smartContract, 'RentWaived', { contract_id: contractId });
    if (contract.state.type === 'Created') return;
  }
  let standard = 0n;
  let level: DiscountLevel = 'None';
  if (!waive) ({ amount: standard, level } = contractCostTft(state, contract, policy, totalUsable, secs, certified));
  const additional =
    contract.contract_type.type === 'RentContract' && !waive ? extraFeeCostTft(state, contract.contract_type.value.node_id, secs) : 0n;
  const due = standard + additional;
  if (due === 0n && !hasOverdraft(ps) && contract.state.type !== 'Deleted') return;

  const toReserve = standard + ps.standard_overdraft + additional + ps.additional_overdraft;
  const sufficient = canReserve(state, src.account_id, toReserve);
  manageContractState(state, contract, sufficient, BigInt(block.number));

  if (sufficient) {
    reserve(state, src.account_id, toReserve);
    ps.standard_reserve += ps.standard_overdraft + standard;
    ps.additional_reserve += ps.additional_overdraft + additional;
    ps.standard_overdraft = 0n;
    ps.additional_overdraft = 0n;
    depositEvent({ state }, smartContract, 'ContractBilled', {
      contract_id: contractId,
      timestamp: now,
      discount_level: { type: level },
      amount_billed: toReserve,
    });
  } else {
    ps.standard_overdraft += standard;
    ps.additional_overdraft += additional;
    // Reserve what the twin can spare; it settles the additional overdraft first.
    reserve(state, src.account_id, twinUsable);
    settlePartialOverdraft(ps, twinUsable);
    depositEvent({ state }, smartContract, 'ContractPaymentOverdrawn', {
      contract_id: contractId,
      timestamp: now,
      partially_billed_amount: twinUsable,
      overdraft: due > twinUsable ? due - twinUsable : 0n,
    });
  }

  remitFunds(state, contract, ps, src, farmer, policy);

  if (contract.state.type === 'Deleted') {
    removeContract(state, contractId);
    return;
  }
  if (contract.contract_type.type === 'NodeContract') {
    const info = ContractBillingInformationByID.read(state, contractId);
    ContractBillingInformationByID.set(state, { ...info, amount_unbilled: 0n }, contractId);
  }
  ps.last_updated_seconds = now;
  ContractPaymentState.set(state, ps, contractId);
}

function settlePartialOverdraft(ps: PaymentState, amount: bigint): void {
  let rest = amount;
  const add = rest < ps.additional_overdraft ? rest : ps.additional_overdraft;
  ps.additional_overdraft -= add;
  ps.additional_reserve += add;
  rest -= add;
  const std = rest < ps.standard_overdraft ? rest : ps.standard_overdraft;
  ps.standard_overdraft -= std;
  ps.standard_reserve += std;
}

/**
 * `manage_contract_state`: Created → GracePeriod when the twin cannot pay, back to Created when
 * it can (not for a node contract whose rent contract is in grace), and Deleted(OutOfFunds)
 * once the grace period has run out. A rent contract carries its node contracts along.
 */
function manageContractState(state: Overlay, contract: Contract, sufficient: boolean, block: bigint): void {
  const nodeId = nodeIdOf(contract);
  let rentSuspended = false;
  if (contract.contract_type.type === 'NodeContract') {
    const rentId = ActiveRentContractForNode.get(state, nodeId);
    const rent = rentId === undefined ? undefined : Contracts.get(state, rentId);
    rentSuspended = rent?.state.type === 'GracePeriod';
  }
  const s = contract.state;
  if (s.type === 'GracePeriod' && sufficient && !rentSuspended) {
    updateContractState(state, contract, { type: 'Created' });
    depositEvent({ state }, smartContract, 'ContractGracePeriodEnded', {
      contract_id: contract.contract_id,
      node_id: nodeId,
      twin_id: contract.twin_id,
    });
    syncNodeContracts(state, contract, { type: 'Created' });
  } else if (s.type === 'GracePeriod') {
    const elapsed = block > s.value ? block - s.value : 0n;
    if (elapsed < gracePeriod(state)) return;
    if (contract.contract_type.type === 'RentContract') {
      // Wait until the node contracts on the rented node hold no more reserved funds.
      const held = ActiveNodeContracts.read(state, nodeId).some((id) => {
        const ps = ContractPaymentState.get(state, id);
        return ps !== undefined && hasReserve(ps);
      });
      if (held) return;
    }
    depositEvent({ state }, smartContract, 'ContractGracePeriodElapsed', { contract_id: contract.contract_id, grace_period: elapsed });
    updateContractState(state, contract, { type: 'Deleted', value: { type: 'OutOfFunds' } });
  } else if (s.type === 'Created' && !sufficient) {
    updateContractState(state, contract, { type: 'GracePeriod', value: block });
    depositEvent({ state }, smartContract, 'ContractGracePeriodStarted', {
      contract_id: contract.contract_id,
      node_id: nodeId,
      twin_id: contract.twin_id,
      block_number: block,
    });
    syncNodeContracts(state, contract, { type: 'GracePeriod', value: block });
  }
}

/** The node contracts on a rented node follow their rent contract into and out of grace. */
function syncNodeContracts(state: Overlay, contract: Contract, next: ContractState): void {
  if (contract.contract_type.type !== 'RentContract') return;
  const nodeId = contract.contract_type.value.node_id;
  for (const id of ActiveNodeContracts.read(state, nodeId)) {
    const c = Contracts.get(state, id);
    if (!c) throw scError('ContractNotExists');
    // One with unpaid public IPs of its own stays in grace.
    const ps = ContractPaymentState.get(state, id);
    if (next.type === 'Created' && ps !== undefined && hasOverdraft(ps)) continue;
    updateContractState(state, c, next);
    if (next.type === 'Created') {
      depositEvent({ state }, smartContract, 'ContractGracePeriodEnded', { contract_id: id, node_id: nodeId, twin_id: c.twin_id });
    } else if (next.type === 'GracePeriod') {
      depositEvent({ state }, smartContract, 'ContractGracePeriodStarted', {
        contract_id: id,
        node_id: nodeId,
        twin_id: c.twin_id,
        block_number: next.value,
      });
    }
  }
}

/**
 * `remit_funds`: counts the cycle; every `DistributionFrequency` cycles, or when the contract
 * is deleted, pays the reserve out: a rent contract's extra fee to the farmer, the rest 10 % to
 * the staking pool, then 50 % to the farmer and 40 % to the foundation (name contracts: 90 %
 * to the foundation).
 */
function remitFunds(
  state: Overlay,
  contract: Contract,
  ps: PaymentState,
  src: Twin,
  farmer: Twin | undefined,
  policy: PricingPolicy,
): void {
  ps.cycles += 1;
  const deleted = contract.state.type === 'Deleted';
  if (!((ps.cycles >= DISTRIBUTION_FREQUENCY || deleted) && hasReserve(ps))) return;
  const standard = ps.standard_reserve;
  const additional = ps.additional_reserve;
  const pay = (to: Uint8Array, amount: bigint): void => {
    const rest = transferReserved(state, src.account_id, to, amount);
    if (rest > 0n && !deleted) throw scError('RewardDistributionError');
  };
  if (contract.contract_type.type === 'RentContract') {
    if (farmer && additional > 0n) pay(farmer.account_id, additional);
    ps.additional_reserve = 0n;
  }
  if (standard > 0n) {
    const staking = percentOf(10, standard);
    pay(STAKING_POOL_ACCOUNT, staking);
    let foundation: bigint;
    if (farmer) {
      foundation = percentOf(40, standard);
      pay(farmer.account_id, standard - foundation - staking);
    } else {
      foundation = standard - staking;
    }
    pay(policy.foundation_account, foundation);
  }
  ps.standard_reserve = 0n;
  ps.cycles = 0;
  depositEvent({ state }, smartContract, 'RewardDistributed', {
    contract_id: contract.contract_id,
    standard_rewards: standard,
    additional_rewards: additional,
  });
}
