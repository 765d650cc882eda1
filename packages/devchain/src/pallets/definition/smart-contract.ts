/**
 * pallet_smart_contract (index 26, `SmartContractModule`): node, name and rent contracts,
 * resource and NRU reports, billing, solution providers and service contracts.
 */
import { bool, bytes, type Codec, enumeration, u128, u32, u64, u8, vec } from '../../scale/codec';
import { AccountId32, OptionU64 } from './primitives';
import {
  Cause,
  Consumption,
  Contract,
  ContractBill,
  ContractBillingInformation,
  ContractLock,
  ContractPaymentState,
  ContractPublicIps,
  ContractResources,
  DeploymentDataInput,
  HexHash,
  NameContractName,
  NruConsumption,
  Provider,
  ServiceContract,
  ServiceContractBill,
  SmartContractStorageVersion,
  SolutionProvider,
} from './smart-contract-types';
import type { PalletDecl } from './types';

const f = <T>(type: Codec<T>, typeName: string) => ({ type, typeName });
const U32 = f(u32, 'u32');
const U64 = f(u64, 'u64');
const Bool = f(bool, 'bool');
const VecU8 = f(bytes, 'Vec<u8>');
const AccountId = f(AccountId32, 'T::AccountId');
const BalanceOf = f(u128, 'BalanceOf<T>');
const T = [{ name: 'T' }];

export const SmartContractCall = enumeration(
  { path: 'pallet_smart_contract::pallet::Call', params: T },
  {
    create_node_contract: [
      0,
      {
        node_id: U32,
        deployment_hash: f(HexHash, 'HexHash'),
        deployment_data: f(DeploymentDataInput, 'DeploymentDataInput<T>'),
        public_ips: U32,
        solution_provider_id: f(OptionU64, 'Option<u64>'),
      },
    ],
    update_node_contract: [
      1,
      {
        contract_id: U64,
        deployment_hash: f(HexHash, 'HexHash'),
        deployment_data: f(DeploymentDataInput, 'DeploymentDataInput<T>'),
      },
    ],
    cancel_contract: [2, { contract_id: U64 }],
    create_name_contract: [4, { name: VecU8 }],
    add_nru_reports: [5, { reports: f(vec(NruConsumption), 'Vec<types::NruConsumption>') }],
    report_contract_resources: [6, { contract_resources: f(vec(ContractResources), 'Vec<types::ContractResources>') }],
    create_rent_contract: [7, { node_id: U32, solution_provider_id: f(OptionU64, 'Option<u64>') }],
    create_solution_provider: [8, { description: VecU8, link: VecU8, providers: f(vec(Provider), 'Vec<types::Provider<T::AccountId>>') }],
    approve_solution_provider: [9, { solution_provider_id: U64, approve: Bool }],
    bill_contract_for_block: [10, { contract_id: U64 }],
    service_contract_create: [11, { service_account: AccountId, consumer_account: AccountId }],
    service_contract_set_metadata: [12, { service_contract_id: U64, metadata: VecU8 }],
    service_contract_set_fees: [13, { service_contract_id: U64, base_fee: U64, variable_fee: U64 }],
    service_contract_approve: [14, { service_contract_id: U64 }],
    service_contract_reject: [15, { service_contract_id: U64 }],
    service_contract_cancel: [16, { service_contract_id: U64 }],
    service_contract_bill: [17, { service_contract_id: U64, variable_amount: U64, metadata: VecU8 }],
    change_billing_frequency: [18, { frequency: U64 }],
    attach_solution_provider_id: [19, { contract_id: U64, solution_provider_id: U64 }],
    set_dedicated_node_extra_fee: [20, { node_id: U32, extra_fee: U64 }],
    cancel_contract_collective: [21, { contract_id: U64 }],
  },
);

export const SmartContractEvent = enumeration(
  { path: 'pallet_smart_contract::pallet::Event', params: T },
  {
    ContractCreated: { index: 0, fields: f(Contract, 'types::Contract<T>'), docs: ['A contract got created'] },
    ContractUpdated: { index: 1, fields: f(Contract, 'types::Contract<T>'), docs: ['A contract was updated'] },
    NodeContractCanceled: { index: 2, fields: { contract_id: U64, node_id: U32, twin_id: U32 }, docs: ['A Node contract is canceled'] },
    NameContractCanceled: { index: 3, fields: { contract_id: U64 }, docs: ['A Name contract is canceled'] },
    IPsReserved: {
      index: 4,
      fields: {
        contract_id: U64,
        public_ips: f(ContractPublicIps, 'BoundedVec<PublicIP, MaxNodeContractPublicIPs<T>>'),
      },
      docs: ['IP got reserved by a Node contract'],
    },
    IPsFreed: {
      index: 5,
      fields: {
        contract_id: U64,
        public_ips: f(ContractPublicIps, 'BoundedVec<PublicIP, MaxNodeContractPublicIPs<T>>'),
      },
      docs: ['IP got freed by a Node contract'],
    },
    ContractDeployed: { index: 6, fields: [U64, AccountId], docs: ['Deprecated event'] },
    ConsumptionReportReceived: { index: 7, fields: f(Consumption, 'types::Consumption'), docs: ['Deprecated event'] },
    ContractBilled: [8, f(ContractBill, 'types::ContractBill')],
    TokensBurned: {
      index: 9,
      fields: { contract_id: U64, amount: BalanceOf },
      docs: ['A certain amount of tokens got burned by a contract'],
    },
    UpdatedUsedResources: { index: 10, fields: f(ContractResources, 'types::ContractResources'), docs: ['Contract resources got updated'] },
    NruConsumptionReportReceived: {
      index: 11,
      fields: f(NruConsumption, 'types::NruConsumption'),
      docs: ['Network resources report received for contract'],
    },
    RentContractCanceled: { index: 12, fields: { contract_id: U64 }, docs: ['a Rent contract is canceled'] },
    ContractGracePeriodStarted: {
      index: 13,
      fields: {
        contract_id: U64,
        node_id: U32,
        twin_id: U32,
        block_number: U64,
      },
      docs: ['A Contract grace period is triggered due to overdarfted'],
    },
    ContractGracePeriodEnded: {
      index: 14,
      fields: {
        contract_id: U64,
        node_id: U32,
        twin_id: U32,
      },
      docs: ['A Contract grace period was ended due to overdarfted being settled'],
    },
    SolutionProviderCreated: [15, f(SolutionProvider, 'types::SolutionProvider<T::AccountId>')],
    SolutionProviderApproved: [16, [U64, Bool]],
    ServiceContractCreated: { index: 17, fields: f(ServiceContract, 'types::ServiceContract'), docs: ['A Service contract is created'] },
    ServiceContractMetadataSet: {
      index: 18,
      fields: f(ServiceContract, 'types::ServiceContract'),
      docs: ['A Service contract metadata is set'],
    },
    ServiceContractFeesSet: { index: 19, fields: f(ServiceContract, 'types::ServiceContract'), docs: ['A Service contract fees are set'] },
    ServiceContractApproved: { index: 20, fields: f(ServiceContract, 'types::ServiceContract'), docs: ['A Service contract is approved'] },
    ServiceContractCanceled: {
      index: 21,
      fields: {
        service_contract_id: U64,
        cause: f(Cause, 'types::Cause'),
      },
      docs: ['A Service contract is canceled'],
    },
    ServiceContractBilled: {
      index: 22,
      fields: {
        service_contract: f(ServiceContract, 'types::ServiceContract'),
        bill: f(ServiceContractBill, 'types::ServiceContractBill'),
        amount: BalanceOf,
      },
      docs: ['A Service contract is billed'],
    },
    BillingFrequencyChanged: [23, U64],
    NodeExtraFeeSet: [24, { node_id: U32, extra_fee: U64 }],
    RentWaived: [25, { contract_id: U64 }],
    ContractGracePeriodElapsed: [26, { contract_id: U64, grace_period: U64 }],
    ContractPaymentOverdrawn: [27, { contract_id: U64, timestamp: U64, partially_billed_amount: BalanceOf, overdraft: BalanceOf }],
    RewardDistributed: [28, { contract_id: U64, standard_rewards: BalanceOf, additional_rewards: BalanceOf }],
  },
);

export const SmartContractError = enumeration({ path: 'pallet_smart_contract::pallet::Error', params: T }, [
  'TwinNotExists',
  'NodeNotExists',
  'FarmNotExists',
  'FarmHasNotEnoughPublicIPs',
  'FarmHasNotEnoughPublicIPsFree',
  'FailedToReserveIP',
  'FailedToFreeIPs',
  'ContractNotExists',
  'TwinNotAuthorizedToUpdateContract',
  'TwinNotAuthorizedToCancelContract',
  'NodeNotAuthorizedToDeployContract',
  'NodeNotAuthorizedToComputeReport',
  'PricingPolicyNotExists',
  'ContractIsNotUnique',
  'ContractWrongBillingLoopIndex',
  'NameExists',
  'NameNotValid',
  'InvalidContractType',
  'TFTPriceValueError',
  'NotEnoughResourcesOnNode',
  'NodeNotAuthorizedToReportResources',
  'MethodIsDeprecated',
  'NodeHasActiveContracts',
  'NodeHasRentContract',
  'FarmIsNotDedicated',
  'NodeNotAvailableToDeploy',
  'CannotUpdateContractInGraceState',
  'NumOverflow',
  'OffchainSignedTxCannotSign',
  'OffchainSignedTxAlreadySent',
  'OffchainSignedTxNoLocalAccountAvailable',
  'NameContractNameTooShort',
  'NameContractNameTooLong',
  'InvalidProviderConfiguration',
  'NoSuchSolutionProvider',
  'SolutionProviderNotApproved',
  'TwinNotAuthorized',
  'ServiceContractNotExists',
  'ServiceContractCreationNotAllowed',
  'ServiceContractModificationNotAllowed',
  'ServiceContractApprovalNotAllowed',
  'ServiceContractRejectionNotAllowed',
  'ServiceContractBillingNotApprovedByBoth',
  'ServiceContractBillingVariableAmountTooHigh',
  'ServiceContractBillMetadataTooLong',
  'ServiceContractMetadataTooLong',
  'ServiceContractNotEnoughFundsToPayBill',
  'CanOnlyIncreaseFrequency',
  'IsNotAnAuthority',
  'WrongAuthority',
  'UnauthorizedToChangeSolutionProviderId',
  'UnauthorizedToSetExtraFee',
  'RewardDistributionError',
  'ContractPaymentStateNotExists',
]);

/** The storage version spec 152 runs at (`PalletVersion`'s default). */
export const SMART_CONTRACT_STORAGE_VERSION = { type: 'V10' };
/** Blocks between two bills of a contract (`BillingFrequency`'s default). */
export const BILLING_FREQUENCY = 600n;

const byU64 = { hashers: ['Blake2_128Concat' as const], keys: [u64] };
const byU32 = { hashers: ['Blake2_128Concat' as const], keys: [u32] };
const plain = { hashers: [], keys: [] };

export const smartContractPallet: PalletDecl = {
  name: 'SmartContractModule',
  index: 26,
  calls: SmartContractCall,
  events: SmartContractEvent,
  errors: SmartContractError,
  storage: [
    { name: 'Contracts', modifier: 'Optional', ...byU64, value: Contract },
    {
      name: 'ContractBillingInformationByID',
      modifier: 'Default',
      ...byU64,
      value: ContractBillingInformation,
      fallback: { previous_nu_reported: 0n, last_updated: 0n, amount_unbilled: 0n },
    },
    {
      name: 'NodeContractResources',
      modifier: 'Default',
      ...byU64,
      value: ContractResources,
      fallback: { contract_id: 0n, used: { hru: 0n, sru: 0n, cru: 0n, mru: 0n } },
    },
    {
      name: 'ContractIDByNodeIDAndHash',
      modifier: 'Default',
      hashers: ['Blake2_128Concat', 'Blake2_128Concat'],
      keys: [u32, HexHash],
      value: u64,
      fallback: 0n,
    },
    { name: 'ActiveNodeContracts', modifier: 'Default', ...byU32, value: vec(u64), fallback: [] },
    { name: 'ContractsToBillAt', modifier: 'Default', ...byU64, value: vec(u64), fallback: [] },
    {
      name: 'ContractLock',
      modifier: 'Default',
      ...byU64,
      value: ContractLock,
      fallback: { amount_locked: 0n, extra_amount_locked: 0n, lock_updated: 0n, cycles: 0 },
    },
    {
      name: 'ContractIDByNameRegistration',
      modifier: 'Default',
      hashers: ['Blake2_128Concat'],
      keys: [NameContractName],
      value: u64,
      fallback: 0n,
    },
    { name: 'ActiveRentContractForNode', modifier: 'Optional', ...byU32, value: u64 },
    { name: 'ContractID', modifier: 'Default', ...plain, value: u64, fallback: 0n },
    { name: 'SolutionProviders', modifier: 'Optional', ...byU64, value: SolutionProvider },
    { name: 'SolutionProviderID', modifier: 'Default', ...plain, value: u64, fallback: 0n },
    { name: 'PalletVersion', modifier: 'Default', ...plain, value: SmartContractStorageVersion, fallback: SMART_CONTRACT_STORAGE_VERSION },
    { name: 'BillingFrequency', modifier: 'Default', ...plain, value: u64, fallback: BILLING_FREQUENCY },
    { name: 'ServiceContracts', modifier: 'Optional', ...byU64, value: ServiceContract },
    { name: 'ServiceContractID', modifier: 'Default', ...plain, value: u64, fallback: 0n },
    { name: 'CurrentMigrationStage', modifier: 'Optional', ...plain, value: u8, docs: [" The current migration's stage, if any."] },
    { name: 'DedicatedNodesExtraFee', modifier: 'Default', ...byU32, value: u64, fallback: 0n },
    { name: 'ContractPaymentState', modifier: 'Optional', ...byU64, value: ContractPaymentState },
  ],
  constants: [
    { name: 'MaxNameContractNameLength', type: u32, value: 64 },
    { name: 'MaxDeploymentDataLength', type: u32, value: 512 },
    { name: 'MaxNodeContractPublicIps', type: u32, value: 512 },
  ],
};
