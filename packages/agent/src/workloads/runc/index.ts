/** The container runtime on runc: zmachines as OCI containers with their own namespaces, limits and node-local address. */
export { RuncRuntime, type RuncRuntimeOptions, type ImageSource } from './runtime';
export { Runc, type ContainerState, type ContainerStatus } from './runc';
export { RuntimeError, type RuntimeErrorCode } from './errors';
export { WorkloadNetwork, DEFAULT_WORKLOAD_BRIDGE, DEFAULT_WORKLOAD_SUBNET, parseSubnet, checkBridgeName, machineIfNames } from './network';
export { machineKey, shortHash } from './names';
export { readLimits, limitsIn, limitProblems, cgroupDirs, parseProcCgroup, oomKills, type AppliedLimits, type CgroupDirs } from './limits';
export { ociConfig, DEFAULT_CAPABILITIES, CPU_PERIOD_US as RUNC_CPU_PERIOD_US } from './spec';
