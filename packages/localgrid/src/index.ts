/** @tfgrid/localgrid: a grid on one machine — N agents, each in its own network namespace, against one dev chain and explorer. */
export { startLocalGrid, NODE_METRICS_ADDRESS, NODE_PUBLIC_INTERFACE, type LocalGrid, type LocalNode } from './grid';
export {
  localChainSpec,
  farmIpPool,
  isLocalGridFarmIp,
  nodePublicConfig,
  LOCAL_PUBLIC_RANGES,
  FARM_IP_FIRST,
  FARM_IP_COUNT,
} from './public';
export { MAX_NODES, type LocalGridOptions } from './options';
// The namespace hosts the grid runs on (@tfgrid/netns), re-exported for the grid's users.
export {
  makeHosts,
  removeHosts,
  ipv6Prefix,
  listNamespaces,
  listLinks,
  pidsIn,
  sh,
  hostMounts,
  onHost,
  NetnsError,
  type Host,
  type Hosts,
  type HostsOptions,
  type NetnsErrorCode,
} from '@tfgrid/netns';
export { claimSubnet, freeSubnetIn, gridTag, AUTO_SUBNETS, LOCK_DIR, type SubnetClaim } from './subnet';
export { listeningSockets, parseSs, socketKey, type ListeningSocket } from './sockets';
export { startRelay, type Relay } from './relay';
export { processes, processesMentioning, type ProcessLine } from './procs';
export {
  bootstrapDevFarm,
  nodeIdOf,
  setDevPublicConfig,
  syncDevFarmIps,
  retryUntil,
  untilListed,
  DEV_FUNDER,
  type Bootstrap,
  type FarmIp,
} from './bootstrap';
export { acmeInstalled, startGridAcme, ACME_COMMANDS } from './acme';
export { LocalGridError, type LocalGridErrorCode } from './errors';
