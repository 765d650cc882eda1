/** The workload engine: the Provisioner, the handlers by type, and the process runtime. */
export { Provisioner, DEPLOYMENT_STATE, INTERRUPTED, INTERRUPTED_TWICE, type ProvisionerOptions, type ChangeEvent, type ChangeListener } from './provisioner';
export { HandlerRegistry } from './registry';
export { ProcessRuntime, envName, workloadMark, type ProcessRuntimeOptions, type RunRecord } from './process-runtime';
export { VolumeHandler, VOLUMES_DIR, IMAGE } from './volume';
export { VmHandler, DEFAULT_ROOTFS, runtimeId } from './vm';
export { StoragePools, diskOf, type Pool, type PoolKind, type PoolSpec } from './pools';
export { RESOURCES, zero, add, subFloor, sum, shortfalls, describeShortfalls, formatBytes, type Resource } from './capacity';
export { resolveRunAs, type RunAs } from './user';
export { Cgroups, CPU_PERIOD_US } from './cgroup';
export { readStat, isAlive, findMarked, MARKER_VAR, type ProcStat } from './proc';
export type {
  Capacity,
  WorkloadStateName,
  WorkloadState,
  ContractDeployment,
  HandlerContext,
  WorkloadHandler,
  ProvisionOptions,
  Runtime,
  RuntimeSpec,
  RuntimeStartOptions,
  NruSink,
} from './types';
