/** The node's private networks: WireGuard meshes in network namespaces, zmachines attached by veth. */
export { PrivateNetworks, type NetworkResult } from './private-network';
export { NetworkHandler, type HostedNetwork, type NetworkHooks } from './handler';
export { instanceTag, networkId, networkNames, attachmentNames, type NetworkNames } from './names';
export { hasKernelWireguard, peerKeys, userspaceMark, raiseUdpBuffers, USERSPACE_TXQUEUELEN } from './wireguard';
export { NetworkError, type NetworkErrorCode } from './errors';
export { chainNodeIpv6, PublicIpHandler, type NodeIpv6Source, type PublicIpOptions } from './public-ip';
export { machineIpv6, type MachineIpv6, type NodeIpv6 } from './public-ipv6';
export { ZmachineNetworking, type MachineNetworkingOptions } from './machine-networking';
