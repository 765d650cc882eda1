/**
 * `tfchain_support`: the types TfgridModule and SmartContractModule share (resources, public
 * IPs and configs, certifications, farming policy limits, power), and the generic grid types
 * (`Farm<Name>`, `Node<Location, If, SerialNumber>`, `Interface<Name, Mac, Ips>`) that
 * pallet_tfgrid instantiates with its own types (tfgrid-types.ts).
 *
 * `BoundedVec<u8, ConstU32<N>>` is one Rust type per bound N, so one codec per N: fields with
 * the same bound share it (the metadata has one type for each).
 */
import { bool, type Codec, enumeration, option, struct, u32, u64, vec } from '../../scale/codec';
import { boundedBytes, boundedVec, OptionU32, OptionU64 } from './primitives';

const f = <T>(type: Codec<T>, typeName: string) => ({ type, typeName });
const U32 = f(u32, 'u32');
const U64 = f(u64, 'u64');
const Bool = f(bool, 'bool');

/** Maximum lengths of the bounded byte strings below (tfchain_support::types). */
export const MAX_IP4_LENGTH = 18;
export const MAX_GW4_LENGTH = 15;
export const MAX_IP6_LENGTH = 43;
export const MAX_GW6_LENGTH = 39;
export const MAX_DOMAIN_NAME_LENGTH = 128;

/** `BoundedVec<u8, ConstU32<MAX_IP4_LENGTH>>` (an IPv4 in CIDR notation). */
export const Ip4Bytes = boundedBytes();
/** `BoundedVec<u8, ConstU32<MAX_GW4_LENGTH>>` */
export const Gw4Bytes = boundedBytes();
/** `BoundedVec<u8, ConstU32<MAX_IP6_LENGTH>>` */
export const Ip6Bytes = boundedBytes();
/** `BoundedVec<u8, ConstU32<MAX_GW6_LENGTH>>` */
export const Gw6Bytes = boundedBytes();
/**
 * `BoundedVec<u8, ConstU32<128>>`: a public config's domain, and (same bound, same type) a
 * node's serial number and a twin's pk.
 */
export const Bytes128 = boundedBytes();
export const OptionBytes128 = option(Bytes128);

export const Resources = struct({ path: 'tfchain_support::resources::Resources' }, { hru: U64, sru: U64, cru: U64, mru: U64 });

export const FarmCertification = enumeration({ path: 'tfchain_support::types::FarmCertification' }, ['NotCertified', 'Gold']);
export const NodeCertification = enumeration({ path: 'tfchain_support::types::NodeCertification' }, ['Diy', 'Certified']);

/** A farm's public IP; `contract_id` is the node contract holding it (0 when free). */
export const PublicIP = struct(
  { path: 'tfchain_support::types::PublicIP' },
  {
    ip: f(Ip4Bytes, 'BoundedVec<u8, ConstU32<MAX_IP4_LENGTH>>'),
    gateway: f(Gw4Bytes, 'BoundedVec<u8, ConstU32<MAX_GW4_LENGTH>>'),
    contract_id: U64,
  },
);

/** `BoundedVec<PublicIP, ConstU32<256>>`: a farm's public IPs. */
export const FarmPublicIps = boundedVec(PublicIP);

export const IP4 = struct(
  { path: 'tfchain_support::types::IP4' },
  {
    ip: f(Ip4Bytes, 'BoundedVec<u8, ConstU32<MAX_IP4_LENGTH>>'),
    gw: f(Gw4Bytes, 'BoundedVec<u8, ConstU32<MAX_GW4_LENGTH>>'),
  },
);

export const IP6 = struct(
  { path: 'tfchain_support::types::IP6' },
  {
    ip: f(Ip6Bytes, 'BoundedVec<u8, ConstU32<MAX_IP6_LENGTH>>'),
    gw: f(Gw6Bytes, 'BoundedVec<u8, ConstU32<MAX_GW6_LENGTH>>'),
  },
);
export const OptionIP6 = option(IP6);

export const PublicConfig = struct(
  { path: 'tfchain_support::types::PublicConfig' },
  {
    ip4: f(IP4, 'IP4'),
    ip6: f(OptionIP6, 'Option<IP6>'),
    domain: f(OptionBytes128, 'Option<BoundedVec<u8, ConstU32<MAX_DOMAIN_NAME_LENGTH>>>'),
  },
);
export const OptionPublicConfig = option(PublicConfig);

export const FarmingPolicyLimit = struct(
  { path: 'tfchain_support::types::FarmingPolicyLimit' },
  {
    farming_policy_id: U32,
    cu: f(OptionU64, 'Option<u64>'),
    su: f(OptionU64, 'Option<u64>'),
    end: f(OptionU64, 'Option<u64>'),
    node_count: f(OptionU32, 'Option<u32>'),
    node_certification: Bool,
  },
);
export const OptionFarmingPolicyLimit = option(FarmingPolicyLimit);

export const Power = enumeration({ path: 'tfchain_support::types::Power' }, ['Up', 'Down']);

/** `PowerState<BlockNumber>`: `Down` holds the block at which the node went down. */
export const PowerState = enumeration(
  { path: 'tfchain_support::types::PowerState', params: [{ name: 'B', type: u32 }] },
  { Up: [0, null], Down: [1, f(u32, 'B')] },
);

export const NodePower = struct(
  { path: 'tfchain_support::types::NodePower', params: [{ name: 'B', type: u32 }] },
  { state: f(PowerState, 'PowerState<B>'), target: f(Power, 'Power') },
);

// ---- the generic grid types (each instantiation is its own type: call these once per instance) ----

/** `Farm<Name>` */
export function farmType<N>(name: Codec<N>) {
  return struct(
    { path: 'tfchain_support::types::Farm', params: [{ name: 'Name', type: name }] },
    {
      version: U32,
      id: U32,
      name: f(name, 'Name'),
      twin_id: U32,
      pricing_policy_id: U32,
      certification: f(FarmCertification, 'FarmCertification'),
      public_ips: f(FarmPublicIps, 'BoundedVec<PublicIP, ConstU32<256>>'),
      dedicated_farm: Bool,
      farming_policy_limits: f(OptionFarmingPolicyLimit, 'Option<FarmingPolicyLimit>'),
    },
  );
}

/** `Interface<Name, Mac, Ips>` */
export function interfaceType<N, M, I>(name: Codec<N>, mac: Codec<M>, ips: Codec<I>) {
  return struct(
    {
      path: 'tfchain_support::types::Interface',
      params: [
        { name: 'Name', type: name },
        { name: 'Mac', type: mac },
        { name: 'Ips', type: ips },
      ],
    },
    { name: f(name, 'Name'), mac: f(mac, 'Mac'), ips: f(ips, 'Ips') },
  );
}

/** `Node<Location, If, SerialNumber>`; `serialNumber` is `Option<SerialNumber>`. */
export function nodeType<L, I, S>(location: Codec<L>, iface: Codec<I>, serial: Codec<S>, serialNumber: Codec<S | undefined>) {
  return struct(
    {
      path: 'tfchain_support::types::Node',
      params: [
        { name: 'Location', type: location },
        { name: 'If', type: iface },
        { name: 'SerialNumber', type: serial },
      ],
    },
    {
      version: U32,
      id: U32,
      farm_id: U32,
      twin_id: U32,
      resources: f(Resources, 'Resources'),
      location: f(location, 'Location'),
      public_config: f(OptionPublicConfig, 'Option<PublicConfig>'),
      created: U64,
      farming_policy_id: U32,
      interfaces: f(vec(iface), 'Vec<If>'),
      certification: f(NodeCertification, 'NodeCertification'),
      secure_boot: Bool,
      virtualized: Bool,
      serial_number: f(serialNumber, 'Option<SerialNumber>'),
      connection_price: U32,
    },
  );
}
