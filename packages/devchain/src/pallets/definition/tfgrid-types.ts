/**
 * pallet_tfgrid's types: farms, nodes (location, interfaces, serial number), entities, twins,
 * pricing and farming policies, terms and conditions, and the raw input types of its calls.
 */
import { bool, bytes, type Codec, enumeration, option, struct, u16, u32, u64, u8, vec, wrapper } from '../../scale/codec';
import { AccountId32, boundedBytes, boundedVec } from './primitives';
import { Bytes128, FarmCertification, farmType, interfaceType, IP4, NodeCertification, nodeType, OptionBytes128 } from './tfchain-support';

const f = <T>(type: Codec<T>, typeName: string) => ({ type, typeName });
const U32 = f(u32, 'u32');
const Bool = f(bool, 'bool');
const VecU8 = f(bytes, 'Vec<u8>');
const T = [{ name: 'T' }];

// ---- bounded byte strings (one codec per bound) ----

/** `BoundedVec<u8, T::MaxFarmNameLength>` (also the `FarmNameInput<T>` of create_farm). */
export const FarmNameInput = boundedBytes();
/** `BoundedVec<u8, ConstU32<MAX_CITY_NAME_LENGTH>>` (`CityNameInput`) */
export const CityNameInput = boundedBytes();
/** `BoundedVec<u8, ConstU32<MAX_COUNTRY_NAME_LENGTH>>` (`CountryNameInput`) */
export const CountryNameInput = boundedBytes();
/**
 * `BoundedVec<u8, ConstU32<50>>`: latitude and longitude, a terms-and-conditions document hash,
 * and a service contract bill's metadata (same bound, same type).
 */
export const Bytes50 = boundedBytes();
/** `BoundedVec<u8, ConstU32<MAX_INTF_NAME_LENGTH>>` */
export const InterfaceNameInput = boundedBytes();
/** `BoundedVec<u8, ConstU32<INTERFACE_MAC_LENGTH>>` */
export const InterfaceMacInput = boundedBytes();
/** `BoundedVec<u8, ConstU32<MAX_INTERFACE_IP_LENGTH>>` */
export const InterfaceIpInput = boundedBytes();
/** `BoundedVec<u8, ConstU32<MAX_RELAY_LENGTH>>` (`RelayInput` is its Option) */
export const RelayBytes = boundedBytes();
export const OptionRelay = option(RelayBytes);
/** `BoundedVec<u8, ConstU32<MAX_DOCUMENT_LINK_LENGTH>>` (`DocumentLinkInput`) */
export const DocumentLinkInput = boundedBytes();

// ---- validated newtypes and what holds them ----

export const FarmName = wrapper(
  { path: 'pallet_tfgrid::farm::FarmName', params: T },
  FarmNameInput,
  'BoundedVec<u8, T::MaxFarmNameLength>',
);
/** `tfchain_support::types::Farm<FarmName<T>>` */
export const Farm = farmType(FarmName);

export const CityName = wrapper(
  { path: 'pallet_tfgrid::node::CityName', params: T },
  CityNameInput,
  'BoundedVec<u8, ConstU32<MAX_CITY_NAME_LENGTH>>',
);
export const CountryName = wrapper(
  { path: 'pallet_tfgrid::node::CountryName', params: T },
  CountryNameInput,
  'BoundedVec<u8, ConstU32<MAX_COUNTRY_NAME_LENGTH>>',
);

export const Location = struct(
  { path: 'pallet_tfgrid::node::Location', params: T },
  {
    city: f(CityName, 'CityName<T>'),
    country: f(CountryName, 'CountryName<T>'),
    latitude: f(Bytes50, 'BoundedVec<u8, ConstU32<MAX_LATITUDE_LENGTH>>'),
    longitude: f(Bytes50, 'BoundedVec<u8, ConstU32<MAX_LONGITUDE_LENGTH>>'),
  },
);

export const InterfaceName = wrapper(
  { path: 'pallet_tfgrid::interface::InterfaceName', params: T },
  InterfaceNameInput,
  'BoundedVec<u8, ConstU32<MAX_INTF_NAME_LENGTH>>',
);
export const InterfaceMac = wrapper(
  { path: 'pallet_tfgrid::interface::InterfaceMac', params: T },
  InterfaceMacInput,
  'BoundedVec<u8, ConstU32<INTERFACE_MAC_LENGTH>>',
);
export const InterfaceIp = wrapper(
  { path: 'pallet_tfgrid::interface::InterfaceIp', params: T },
  InterfaceIpInput,
  'BoundedVec<u8, ConstU32<MAX_INTERFACE_IP_LENGTH>>',
);
/** `BoundedVec<InterfaceIp<T>, T::MaxInterfaceIpsLength>` */
export const InterfaceIps = boundedVec(InterfaceIp);
/** `tfchain_support::types::Interface<InterfaceName<T>, InterfaceMac<T>, InterfaceIps<T>>`: a node's interface as stored. */
export const Interface = interfaceType(InterfaceName, InterfaceMac, InterfaceIps);

export const SerialNumber = wrapper(
  { path: 'pallet_tfgrid::node::SerialNumber', params: T },
  Bytes128,
  'BoundedVec<u8, ConstU32<MAX_SERIAL_NUMBER_LENGTH>>',
);
export const OptionSerialNumber = option(SerialNumber);

/** `tfchain_support::types::Node<Location<T>, Interface<..>, SerialNumber<T>>` (`TfgridNode<T>`) */
export const Node = nodeType(Location, Interface, SerialNumber, OptionSerialNumber);

export const Entity = struct(
  {
    path: 'pallet_tfgrid::types::Entity',
    params: [
      { name: 'AccountId', type: AccountId32 },
      { name: 'City', type: CityName },
      { name: 'Country', type: CountryName },
    ],
  },
  {
    version: U32,
    id: U32,
    name: VecU8,
    account_id: f(AccountId32, 'AccountId'),
    country: f(CountryName, 'Country'),
    city: f(CityName, 'City'),
  },
);

export const EntityProof = struct({ path: 'pallet_tfgrid::types::EntityProof' }, { entity_id: U32, signature: VecU8 });

export const Twin = struct(
  { path: 'pallet_tfgrid::types::Twin', params: [{ name: 'AccountId', type: AccountId32 }] },
  {
    id: U32,
    account_id: f(AccountId32, 'AccountId'),
    relay: f(OptionRelay, 'Option<BoundedVec<u8, ConstU32<MAX_RELAY_LENGTH>>>'),
    entities: f(vec(EntityProof), 'Vec<EntityProof>'),
    pk: f(OptionBytes128, 'Option<BoundedVec<u8, ConstU32<MAX_PK_LENGTH>>>'),
  },
);

// ---- policies ----

export const Unit = enumeration({ path: 'pallet_tfgrid::types::Unit' }, ['Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terrabytes']);

export const Policy = struct({ path: 'pallet_tfgrid::types::Policy' }, { value: U32, unit: f(Unit, 'Unit') });

const PolicyField = f(Policy, 'Policy');

export const PricingPolicy = struct(
  { path: 'pallet_tfgrid::types::PricingPolicy', params: [{ name: 'AccountId', type: AccountId32 }] },
  {
    version: U32,
    id: U32,
    name: VecU8,
    su: PolicyField,
    cu: PolicyField,
    nu: PolicyField,
    ipu: PolicyField,
    unique_name: PolicyField,
    domain_name: PolicyField,
    foundation_account: f(AccountId32, 'AccountId'),
    certified_sales_account: f(AccountId32, 'AccountId'),
    discount_for_dedication_nodes: f(u8, 'u8'),
  },
);

export const FarmingPolicy = struct(
  { path: 'pallet_tfgrid::types::FarmingPolicy', params: [{ name: 'BlockNumber', type: u32 }] },
  {
    version: U32,
    id: U32,
    name: VecU8,
    cu: U32,
    su: U32,
    nu: U32,
    ipv4: U32,
    minimal_uptime: f(u16, 'u16'),
    policy_created: f(u32, 'BlockNumber'),
    policy_end: f(u32, 'BlockNumber'),
    immutable: Bool,
    default: Bool,
    node_certification: f(NodeCertification, 'NodeCertification'),
    farm_certification: f(FarmCertification, 'FarmCertification'),
  },
);

export const TermsAndConditions = struct(
  { path: 'pallet_tfgrid::terms_cond::TermsAndConditions', params: T },
  {
    account_id: f(AccountId32, 'T::AccountId'),
    timestamp: f(u64, 'u64'),
    document_link: f(DocumentLinkInput, 'BoundedVec<u8, ConstU32<MAX_DOCUMENT_LINK_LENGTH>>'),
    document_hash: f(Bytes50, 'BoundedVec<u8, ConstU32<MAX_DOCUMENT_HASH_LENGTH>>'),
  },
);

/** The pallet's storage version (`PalletVersion`); spec 152 runs V17Struct. */
export const TfgridStorageVersion = enumeration(
  { path: 'pallet_tfgrid::types::StorageVersion' },
  Array.from({ length: 17 }, (_, i) => `V${i + 1}Struct`),
);

// ---- call inputs ----

/** `PublicIpListInput<T>`: `BoundedVec<IP4, T::MaxFarmPublicIps>` */
export const PublicIpListInput = boundedVec(IP4);

/** `LocationInput`: `LocationInput<CityNameInput, CountryNameInput, LatitudeInput, LongitudeInput>` */
export const LocationInput = struct(
  {
    path: 'pallet_tfgrid::types::LocationInput',
    params: [
      { name: 'City', type: CityNameInput },
      { name: 'Country', type: CountryNameInput },
      { name: 'Latitude', type: Bytes50 },
      { name: 'Longitude', type: Bytes50 },
    ],
  },
  {
    city: f(CityNameInput, 'City'),
    country: f(CountryNameInput, 'Country'),
    latitude: f(Bytes50, 'Latitude'),
    longitude: f(Bytes50, 'Longitude'),
  },
);

/** `BoundedVec<InterfaceIpInput, T::MaxInterfaceIpsLength>` */
export const InterfaceIpsInput = boundedVec(InterfaceIpInput);
/** `Interface<InterfaceNameInput, InterfaceMacInput, InterfaceIpsInput<T>>`: an interface as given to create_node. */
export const InputInterface = interfaceType(InterfaceNameInput, InterfaceMacInput, InterfaceIpsInput);
/** `InterfaceInput<T>`: `BoundedVec<InterfaceOf<T>, T::MaxInterfacesLength>` */
export const InterfacesInput = boundedVec(InputInterface);
