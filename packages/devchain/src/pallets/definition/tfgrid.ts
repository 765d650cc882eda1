/**
 * pallet_tfgrid (index 25, `TfgridModule`): farms, nodes, entities, twins, pricing and farming
 * policies, node certification, terms and conditions, uptime and power.
 */
import { bool, bytes, type Codec, enumeration, u16, u32, u64, u8, vec } from '../../scale/codec';
import { AccountId32 } from './primitives';
import {
  FarmCertification,
  Gw4Bytes,
  Ip4Bytes,
  NodeCertification,
  NodePower,
  OptionBytes128,
  OptionFarmingPolicyLimit,
  OptionPublicConfig,
  Power,
  PowerState,
  Resources,
} from './tfchain-support';
import {
  Bytes50,
  CityNameInput,
  CountryNameInput,
  DocumentLinkInput,
  Entity,
  Farm,
  FarmingPolicy,
  FarmNameInput,
  InterfacesInput,
  LocationInput,
  Node,
  OptionRelay,
  Policy,
  PricingPolicy,
  PublicIpListInput,
  TermsAndConditions,
  TfgridStorageVersion,
  Twin,
} from './tfgrid-types';
import type { PalletDecl } from './types';

const f = <T>(type: Codec<T>, typeName: string) => ({ type, typeName });
const U8 = f(u8, 'u8');
const U16 = f(u16, 'u16');
const U32 = f(u32, 'u32');
const U64 = f(u64, 'u64');
const Bool = f(bool, 'bool');
const VecU8 = f(bytes, 'Vec<u8>');
const AccountId = f(AccountId32, 'T::AccountId');
const Pol = f(Policy, 'types::Policy');

/** The arguments create_node and update_node share, in their order. */
const nodeArgs = {
  farm_id: U32,
  resources: f(Resources, 'ResourcesInput'),
  location: f(LocationInput, 'LocationInput'),
  interfaces: f(InterfacesInput, 'InterfaceInput<T>'),
  secure_boot: Bool,
  virtualized: Bool,
  serial_number: f(OptionBytes128, 'Option<SerialNumberInput>'),
};

/** The arguments create_pricing_policy and update_pricing_policy share, in their order. */
const pricingPolicyArgs = {
  name: VecU8,
  su: Pol,
  cu: Pol,
  nu: Pol,
  ipu: Pol,
  unique_name: Pol,
  domain_name: Pol,
  foundation_account: AccountId,
  certified_sales_account: AccountId,
  discount_for_dedication_nodes: U8,
};
const T = [{ name: 'T' }];

export const TfgridCall = enumeration(
  { path: 'pallet_tfgrid::pallet::Call', params: T },
  {
    set_storage_version: [0, { version: f(TfgridStorageVersion, 'types::StorageVersion') }],
    create_farm: [1, { name: f(FarmNameInput, 'FarmNameInput<T>'), public_ips: f(PublicIpListInput, 'PublicIpListInput<T>') }],
    update_farm: [2, { farm_id: U32, name: f(FarmNameInput, 'FarmNameInput<T>') }],
    add_stellar_payout_v2address: [3, { farm_id: U32, stellar_address: VecU8 }],
    set_farm_certification: [4, { farm_id: U32, certification: f(FarmCertification, 'FarmCertification') }],
    add_farm_ip: [5, { farm_id: U32, ip: f(Ip4Bytes, 'Ip4Input'), gw: f(Gw4Bytes, 'Gw4Input') }],
    remove_farm_ip: [6, { farm_id: U32, ip: f(Ip4Bytes, 'Ip4Input') }],
    create_node: [8, nodeArgs],
    update_node: [9, { node_id: U32, ...nodeArgs }],
    set_node_certification: [10, { node_id: U32, node_certification: f(NodeCertification, 'NodeCertification') }],
    report_uptime: [11, { uptime: U64 }],
    add_node_public_config: [12, { farm_id: U32, node_id: U32, public_config: f(OptionPublicConfig, 'Option<PublicConfig>') }],
    delete_node: [13, { node_id: U32 }],
    create_entity: [
      14,
      {
        target: AccountId,
        name: VecU8,
        country: f(CountryNameInput, 'CountryNameInput'),
        city: f(CityNameInput, 'CityNameInput'),
        signature: VecU8,
      },
    ],
    update_entity: [15, { name: VecU8, country: f(CountryNameInput, 'CountryNameInput'), city: f(CityNameInput, 'CityNameInput') }],
    delete_entity: [16, null],
    create_twin: [17, { relay: f(OptionRelay, 'RelayInput'), pk: f(OptionBytes128, 'PkInput') }],
    update_twin: [18, { relay: f(OptionRelay, 'RelayInput'), pk: f(OptionBytes128, 'PkInput') }],
    add_twin_entity: [19, { twin_id: U32, entity_id: U32, signature: VecU8 }],
    delete_twin_entity: [20, { twin_id: U32, entity_id: U32 }],
    create_pricing_policy: [
      22,
      pricingPolicyArgs,
    ],
    update_pricing_policy: [
      23,
      { pricing_policy_id: U32, ...pricingPolicyArgs },
    ],
    create_farming_policy: [
      24,
      {
        name: VecU8,
        su: U32,
        cu: U32,
        nu: U32,
        ipv4: U32,
        minimal_uptime: U16,
        policy_end: f(u32, 'BlockNumberFor<T>'),
        immutable: Bool,
        default: Bool,
        node_certification: f(NodeCertification, 'NodeCertification'),
        farm_certification: f(FarmCertification, 'FarmCertification'),
      },
    ],
    user_accept_tc: [25, { document_link: f(DocumentLinkInput, 'DocumentLinkInput'), document_hash: f(Bytes50, 'DocumentHashInput') }],
    delete_node_farm: [26, { node_id: U32 }],
    set_farm_dedicated: [27, { farm_id: U32, dedicated: Bool }],
    force_reset_farm_ip: [28, { farm_id: U32, ip: f(Ip4Bytes, 'Ip4Input') }],
    set_connection_price: [29, { price: U32 }],
    add_node_certifier: [30, { certifier: AccountId }],
    remove_node_certifier: [31, { certifier: AccountId }],
    update_farming_policy: [
      32,
      {
        farming_policy_id: U32,
        name: VecU8,
        su: U32,
        cu: U32,
        nu: U32,
        ipv4: U32,
        minimal_uptime: U16,
        policy_end: f(u32, 'BlockNumberFor<T>'),
        default: Bool,
        node_certification: f(NodeCertification, 'NodeCertification'),
        farm_certification: f(FarmCertification, 'FarmCertification'),
      },
    ],
    attach_policy_to_farm: [33, { farm_id: U32, limits: f(OptionFarmingPolicyLimit, 'Option<FarmingPolicyLimit>') }],
    set_zos_version: [34, { zos_version: VecU8 }],
    change_power_state: [35, { power_state: f(Power, 'Power') }],
    change_power_target: [36, { node_id: U32, power_target: f(Power, 'Power') }],
    bond_twin_account: [37, { twin_id: U32 }],
    report_uptime_v2: [38, { uptime: U64, timestamp_hint: U64 }],
  },
);

export const TfgridEvent = enumeration(
  { path: 'pallet_tfgrid::pallet::Event', params: T },
  {
    FarmStored: [0, f(Farm, 'FarmInfoOf<T>')],
    FarmUpdated: [1, f(Farm, 'FarmInfoOf<T>')],
    FarmDeleted: [2, U32],
    NodeStored: [3, f(Node, 'TfgridNode<T>')],
    NodeUpdated: [4, f(Node, 'TfgridNode<T>')],
    NodeDeleted: [5, U32],
    NodeUptimeReported: [6, [U32, U64, U64]],
    NodePublicConfigStored: [7, [U32, f(OptionPublicConfig, 'Option<pallet::PublicConfig>')]],
    EntityStored: [8, f(Entity, 'TfgridEntity<T>')],
    EntityUpdated: [9, f(Entity, 'TfgridEntity<T>')],
    EntityDeleted: [10, U32],
    TwinStored: [11, f(Twin, 'types::Twin<T::AccountId>')],
    TwinUpdated: [12, f(Twin, 'types::Twin<T::AccountId>')],
    TwinEntityStored: [13, [U32, U32, VecU8]],
    TwinEntityRemoved: [14, [U32, U32]],
    TwinDeleted: [15, U32],
    TwinAccountBounded: [16, [U32, AccountId]],
    PricingPolicyStored: [17, f(PricingPolicy, 'types::PricingPolicy<T::AccountId>')],
    FarmingPolicyStored: [18, f(FarmingPolicy, 'types::FarmingPolicy<BlockNumberFor<T>>')],
    FarmPayoutV2AddressRegistered: [19, [U32, VecU8]],
    FarmMarkedAsDedicated: [20, U32],
    ConnectionPriceSet: [21, U32],
    NodeCertificationSet: [22, [U32, f(NodeCertification, 'NodeCertification')]],
    NodeCertifierAdded: [23, AccountId],
    NodeCertifierRemoved: [24, AccountId],
    FarmingPolicyUpdated: [25, f(FarmingPolicy, 'types::FarmingPolicy<BlockNumberFor<T>>')],
    FarmingPolicySet: [26, [U32, f(OptionFarmingPolicyLimit, 'Option<FarmingPolicyLimit>')]],
    FarmCertificationSet: [27, [U32, f(FarmCertification, 'FarmCertification')]],
    ZosVersionUpdated: [28, VecU8],
    PowerTargetChanged: {
      index: 29,
      fields: {
        farm_id: U32,
        node_id: U32,
        power_target: f(Power, 'Power'),
      },
      docs: ['Send an event to zero os to change its state'],
    },
    PowerStateChanged: [30, { farm_id: U32, node_id: U32, power_state: f(PowerState, 'PowerState<BlockNumberFor<T>>') }],
  },
);

export const TfgridError = enumeration({ path: 'pallet_tfgrid::pallet::Error', params: T }, [
  'NoneValue', 'StorageOverflow', 'CannotCreateNode', 'NodeNotExists', 'NodeWithTwinIdExists', 'CannotDeleteNode', 'NodeDeleteNotAuthorized',
  'NodeUpdateNotAuthorized', 'FarmExists', 'FarmNotExists', 'CannotCreateFarmWrongTwin', 'CannotUpdateFarmWrongTwin', 'CannotDeleteFarm',
  'CannotDeleteFarmWithPublicIPs', 'CannotDeleteFarmWithNodesAssigned', 'CannotDeleteFarmWrongTwin', 'IpExists', 'IpNotExists',
  'EntityWithNameExists', 'EntityWithPubkeyExists', 'EntityNotExists', 'EntitySignatureDoesNotMatch', 'EntityWithSignatureAlreadyExists',
  'CannotUpdateEntity', 'CannotDeleteEntity', 'SignatureLengthIsIncorrect', 'TwinExists', 'TwinNotExists', 'TwinWithPubkeyExists',
  'CannotCreateTwin', 'UnauthorizedToUpdateTwin', 'TwinCannotBoundToItself', 'PricingPolicyExists', 'PricingPolicyNotExists',
  'PricingPolicyWithDifferentIdExists', 'CertificationCodeExists', 'FarmingPolicyAlreadyExists', 'FarmPayoutAdressAlreadyRegistered',
  'FarmerDoesNotHaveEnoughFunds', 'UserDidNotSignTermsAndConditions', 'FarmerDidNotSignTermsAndConditions', 'FarmerNotAuthorized',
  'InvalidFarmName', 'AlreadyCertifier', 'NotCertifier', 'NotAllowedToCertifyNode', 'FarmingPolicyNotExists', 'RelayTooShort', 'RelayTooLong',
  'InvalidRelay', 'FarmNameTooShort', 'FarmNameTooLong', 'InvalidPublicIP', 'PublicIPTooShort', 'PublicIPTooLong', 'GatewayIPTooShort',
  'GatewayIPTooLong', 'IP4TooShort', 'IP4TooLong', 'InvalidIP4', 'GW4TooShort', 'GW4TooLong', 'InvalidGW4', 'IP6TooShort', 'IP6TooLong',
  'InvalidIP6', 'GW6TooShort', 'GW6TooLong', 'InvalidGW6', 'DomainTooShort', 'DomainTooLong', 'InvalidDomain', 'MethodIsDeprecated',
  'InterfaceNameTooShort', 'InterfaceNameTooLong', 'InvalidInterfaceName', 'InterfaceMacTooShort', 'InterfaceMacTooLong', 'InvalidMacAddress',
  'InterfaceIpTooShort', 'InterfaceIpTooLong', 'InvalidInterfaceIP', 'InvalidZosVersion', 'FarmingPolicyExpired', 'InvalidHRUInput',
  'InvalidSRUInput', 'InvalidCRUInput', 'InvalidMRUInput', 'LatitudeInputTooShort', 'LatitudeInputTooLong', 'InvalidLatitudeInput',
  'LongitudeInputTooShort', 'LongitudeInputTooLong', 'InvalidLongitudeInput', 'CountryNameTooShort', 'CountryNameTooLong', 'InvalidCountryName',
  'CityNameTooShort', 'CityNameTooLong', 'InvalidCityName', 'InvalidCountryCityPair', 'SerialNumberTooShort', 'SerialNumberTooLong',
  'InvalidSerialNumber', 'DocumentLinkInputTooShort', 'DocumentLinkInputTooLong', 'InvalidDocumentLinkInput', 'DocumentHashInputTooShort',
  'DocumentHashInputTooLong', 'InvalidDocumentHashInput', 'InvalidPublicConfig', 'UnauthorizedToChangePowerTarget', 'NodeHasActiveContracts',
  'InvalidRelayAddress', 'InvalidTimestampHint', 'InvalidStorageInput',
]);

/** The storage version spec 152 runs at (`PalletVersion`'s default). */
export const TFGRID_STORAGE_VERSION = { type: 'V17Struct' };

const byU32 = { hashers: ['Blake2_128Concat' as const], keys: [u32] };
const byAccount = { hashers: ['Blake2_128Concat' as const], keys: [AccountId32] };
const byName = { hashers: ['Blake2_128Concat' as const], keys: [bytes] };
const plain = { hashers: [], keys: [] };
const counter = (name: string) => ({ name, modifier: 'Default' as const, ...plain, value: u32, fallback: 0 });

export const tfgridPallet: PalletDecl = {
  name: 'TfgridModule',
  index: 25,
  calls: TfgridCall,
  events: TfgridEvent,
  errors: TfgridError,
  storage: [
    { name: 'Farms', modifier: 'Optional', ...byU32, value: Farm },
    { name: 'NodesByFarmID', modifier: 'Default', ...byU32, value: vec(u32), fallback: [] },
    { name: 'FarmIdByName', modifier: 'Default', ...byName, value: u32, fallback: 0 },
    { name: 'FarmPayoutV2AddressByFarmID', modifier: 'Default', ...byU32, value: bytes, fallback: new Uint8Array(0) },
    { name: 'Nodes', modifier: 'Optional', ...byU32, value: Node },
    { name: 'NodeIdByTwinID', modifier: 'Default', ...byU32, value: u32, fallback: 0 },
    { name: 'Entities', modifier: 'Optional', ...byU32, value: Entity },
    { name: 'EntityIdByAccountID', modifier: 'Optional', ...byAccount, value: u32 },
    { name: 'EntityIdByName', modifier: 'Default', ...byName, value: u32, fallback: 0 },
    { name: 'Twins', modifier: 'Optional', ...byU32, value: Twin },
    { name: 'TwinIdByAccountID', modifier: 'Optional', ...byAccount, value: u32 },
    { name: 'TwinBoundedAccountID', modifier: 'Optional', ...byU32, value: AccountId32 },
    { name: 'PricingPolicies', modifier: 'Optional', ...byU32, value: PricingPolicy },
    { name: 'PricingPolicyIdByName', modifier: 'Default', ...byName, value: u32, fallback: 0 },
    {
      name: 'FarmingPoliciesMap',
      modifier: 'Default',
      ...byU32,
      value: FarmingPolicy,
      fallback: {
        version: 0,
        id: 0,
        name: new Uint8Array(0),
        cu: 0,
        su: 0,
        nu: 0,
        ipv4: 0,
        minimal_uptime: 0,
        policy_created: 0,
        policy_end: 0,
        immutable: false,
        default: false,
        node_certification: { type: 'Diy' },
        farm_certification: { type: 'NotCertified' },
      },
    },
    { name: 'UsersTermsAndConditions', modifier: 'Optional', ...byAccount, value: vec(TermsAndConditions) },
    { name: 'AllowedNodeCertifiers', modifier: 'Optional', ...plain, value: vec(AccountId32) },
    counter('ConnectionPrice'),
    counter('FarmID'),
    counter('NodeID'),
    counter('EntityID'),
    counter('TwinID'),
    counter('PricingPolicyID'),
    counter('FarmingPolicyID'),
    { name: 'PalletVersion', modifier: 'Default', ...plain, value: TfgridStorageVersion, fallback: TFGRID_STORAGE_VERSION },
    { name: 'ZosVersion', modifier: 'Default', ...plain, value: bytes, fallback: new Uint8Array(0) },
    {
      name: 'NodePower',
      modifier: 'Default',
      ...byU32,
      value: NodePower,
      fallback: { state: { type: 'Up' }, target: { type: 'Up' } },
    },
  ],
  constants: [
    { name: 'MaxFarmNameLength', type: u32, value: 40 },
    { name: 'MaxFarmPublicIps', type: u32, value: 512 },
    { name: 'MaxInterfacesLength', type: u32, value: 10 },
    { name: 'MaxInterfaceIpsLength', type: u32, value: 10 },
    { name: 'TimestampHintDrift', type: u64, value: 60n },
  ],
};
