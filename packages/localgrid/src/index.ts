/** @tfgrid/localgrid: a grid on one machine — N agents, each in its own network namespace, against one dev chain and explorer. */
export { startLocalGrid, NODE_METRICS_ADDRESS, type LocalGrid, type LocalNode } from './grid';
export { MAX_NODES, type LocalGridOptions } from './options';
export { makeHosts, removeHosts, listNamespaces, listLinks, pidsIn, sh, type Host, type Hosts, type HostsOptions } from './hosts';
export { claimSubnet, gridTag, AUTO_SUBNETS, LOCK_DIR, type SubnetClaim } from './subnet';
export { listeningSockets, parseSs, socketKey, type ListeningSocket } from './sockets';
export { startRelay, type Relay } from './relay';
export { processes, processesMentioning, type ProcessLine } from './procs';
export { bootstrapDevFarm, nodeIdOf, setDevPublicConfig, retryUntil, untilListed, DEV_FUNDER, type Bootstrap } from './bootstrap';
export { LocalGridError, type LocalGridErrorCode } from './errors';
