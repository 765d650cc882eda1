/** @tfgrid/netns: hosts on one machine — network namespaces joined by a bridge standing in for the Internet. */
export {
  makeHosts,
  removeHosts,
  ipv6Prefix,
  listNamespaces,
  listLinks,
  pidsIn,
  sh,
  type Host,
  type Hosts,
  type HostsOptions,
} from './hosts';
export { hostMounts, onHost } from './host-mounts';
export { trySh } from './sh';
export { NetnsError, type NetnsErrorCode } from './errors';
