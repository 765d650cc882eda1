/**
 * pallet_smart_contract's types: contracts (node, name, rent) and their state, billing,
 * consumption reports, solution providers and service contracts.
 */
import { bool, bytes, type Codec, enumeration, fixedBytes, struct, u128, u16, u32, u64, u8, vec, wrapper } from '../../scale/codec';
import { AccountId32, boundedBytes, boundedVec, OptionU64 } from './primitives';
import { PublicIP, Resources } from './tfchain-support';
import { Bytes50 } from './tfgrid-types';

const f = <T>(type: Codec<T>, typeName: string) => ({ type, typeName });
const U16 = f(u16, 'u16');
const U32 = f(u32, 'u32');
const U64 = f(u64, 'u64');
const Bool = f(bool, 'bool');
const VecU8 = f(bytes, 'Vec<u8>');
const BalanceOf = f(u128, 'BalanceOf');
const T = [{ name: 'T' }];
const BalanceOfParam = [{ name: 'BalanceOf', type: u128 }];

export const Cause = enumeration({ path: 'pallet_smart_contract::types::Cause' }, ['CanceledByUser', 'OutOfFunds', 'CanceledByCollective']);

/** `GracePeriod` holds the block at which the grace period started. */
export const ContractState = enumeration(
  { path: 'pallet_smart_contract::types::ContractState' },
  { Created: [0, null], Deleted: [1, f(Cause, 'Cause')], GracePeriod: [2, f(u64, 'BlockNumber')] },
);

/** `HexHash`: `[u8; 32]` (by convention the 32 ASCII characters of an MD5 hex digest). */
export const HexHash = fixedBytes(32);
/** `BoundedVec<u8, MaxDeploymentDataLength<T>>` (`DeploymentDataInput<T>`) */
export const DeploymentDataInput = boundedBytes();
/** `BoundedVec<PublicIP, MaxNodeContractPublicIPs<T>>` */
export const ContractPublicIps = boundedVec(PublicIP);

export const NodeContract = struct(
  { path: 'pallet_smart_contract::types::NodeContract', params: T },
  {
    node_id: U32,
    deployment_hash: f(HexHash, 'HexHash'),
    deployment_data: f(DeploymentDataInput, 'BoundedVec<u8, MaxDeploymentDataLength<T>>'),
    public_ips: U32,
    public_ips_list: f(ContractPublicIps, 'BoundedVec<PublicIP, MaxNodeContractPublicIPs<T>>'),
  },
);

/** `BoundedVec<u8, T::MaxNameContractNameLength>` */
export const NameContractNameInput = boundedBytes();
export const NameContractName = wrapper(
  { path: 'pallet_smart_contract::grid_contract::NameContractName', params: T },
  NameContractNameInput,
  'BoundedVec<u8, T::MaxNameContractNameLength>',
);

export const NameContract = struct(
  { path: 'pallet_smart_contract::types::NameContract', params: T },
  { name: f(NameContractName, 'T::NameContractName') },
);

export const RentContract = struct({ path: 'pallet_smart_contract::types::RentContract' }, { node_id: U32 });

export const ContractData = enumeration(
  { path: 'pallet_smart_contract::types::ContractData', params: T },
  {
    NodeContract: [0, f(NodeContract, 'NodeContract<T>')],
    NameContract: [1, f(NameContract, 'NameContract<T>')],
    RentContract: [2, f(RentContract, 'RentContract')],
  },
);

export const Contract = struct(
  { path: 'pallet_smart_contract::types::Contract', params: T },
  {
    version: U32,
    state: f(ContractState, 'ContractState'),
    contract_id: U64,
    twin_id: U32,
    contract_type: f(ContractData, 'ContractData<T>'),
    solution_provider_id: f(OptionU64, 'Option<u64>'),
  },
);

/** The deprecated consumption report (event `ConsumptionReportReceived`). */
export const Consumption = struct(
  { path: 'pallet_smart_contract::types::Consumption' },
  { contract_id: U64, timestamp: U64, cru: U64, sru: U64, hru: U64, mru: U64, nru: U64 },
);

export const DiscountLevel = enumeration({ path: 'pallet_smart_contract::types::DiscountLevel' }, [
  'None',
  'Default',
  'Bronze',
  'Silver',
  'Gold',
]);

export const ContractBill = struct(
  { path: 'pallet_smart_contract::types::ContractBill' },
  { contract_id: U64, timestamp: U64, discount_level: f(DiscountLevel, 'DiscountLevel'), amount_billed: f(u128, 'u128') },
);

export const ContractResources = struct(
  { path: 'pallet_smart_contract::types::ContractResources' },
  { contract_id: U64, used: f(Resources, 'Resources') },
);

export const NruConsumption = struct(
  { path: 'pallet_smart_contract::types::NruConsumption' },
  { contract_id: U64, timestamp: U64, window: U64, nru: U64 },
);

const AccountIdParam = [{ name: 'AccountId', type: AccountId32 }];

export const Provider = struct(
  { path: 'pallet_smart_contract::types::Provider', params: AccountIdParam },
  { who: f(AccountId32, 'AccountId'), take: f(u8, 'u8') },
);

export const SolutionProvider = struct(
  { path: 'pallet_smart_contract::types::SolutionProvider', params: AccountIdParam },
  {
    solution_provider_id: U64,
    providers: f(vec(Provider), 'Vec<Provider<AccountId>>'),
    description: VecU8,
    link: VecU8,
    approved: Bool,
  },
);

/** `BoundedVec<u8, ConstU32<MAX_METADATA_LENGTH>>` */
export const ServiceContractMetadata = boundedBytes();

export const ServiceContractState = enumeration({ path: 'pallet_smart_contract::types::ServiceContractState' }, [
  'Created',
  'AgreementReady',
  'ApprovedByBoth',
]);

export const ServiceContract = struct(
  { path: 'pallet_smart_contract::types::ServiceContract' },
  {
    service_contract_id: U64,
    service_twin_id: U32,
    consumer_twin_id: U32,
    base_fee: U64,
    variable_fee: U64,
    metadata: f(ServiceContractMetadata, 'BoundedVec<u8, ConstU32<MAX_METADATA_LENGTH>>'),
    accepted_by_service: Bool,
    accepted_by_consumer: Bool,
    last_bill: U64,
    state: f(ServiceContractState, 'ServiceContractState'),
  },
);

export const ServiceContractBill = struct(
  { path: 'pallet_smart_contract::types::ServiceContractBill' },
  { variable_amount: U64, window: U64, metadata: f(Bytes50, 'BoundedVec<u8, ConstU32<MAX_BILL_METADATA_LENGTH>>') },
);

export const ContractBillingInformation = struct(
  { path: 'pallet_smart_contract::types::ContractBillingInformation' },
  { previous_nu_reported: U64, last_updated: U64, amount_unbilled: U64 },
);

export const ContractLock = struct(
  { path: 'pallet_smart_contract::types::ContractLock', params: BalanceOfParam },
  { amount_locked: BalanceOf, extra_amount_locked: BalanceOf, lock_updated: U64, cycles: U16 },
);

export const ContractPaymentState = struct(
  { path: 'pallet_smart_contract::types::ContractPaymentState', params: BalanceOfParam },
  {
    standard_reserve: BalanceOf,
    additional_reserve: BalanceOf,
    standard_overdraft: BalanceOf,
    additional_overdraft: BalanceOf,
    last_updated_seconds: U64,
    cycles: U16,
  },
);

/** The pallet's storage version (`PalletVersion`); spec 152 runs V10. */
export const SmartContractStorageVersion = enumeration(
  { path: 'pallet_smart_contract::types::StorageVersion' },
  Array.from({ length: 12 }, (_, i) => `V${i + 1}`),
);
