/** Network planning pieces shared by deployers and nodes: IPv4 networks and WireGuard keys. */
export { parseIpv4, formatIpv4, parseCidr4, containsIp, overlaps, type Cidr4 } from '../net/cidr';
export { isWireguardKey, wireguardKeyPair, wireguardPublicKey, type WireguardKeyPair } from '../net/wireguard-keys';
export {
  DEFAULT_NETWORK_RANGE,
  planNetwork,
  networkData,
  accessConfig,
  accessNode,
  machineAddress,
  NetworkPlanError,
  type NetworkPlan,
  type PlannedNode,
  type PlannedUser,
  type PlanInput,
  type NetworkNodeInput,
} from './plan';
