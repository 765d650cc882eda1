/** The workload engine: the Provisioner, the handlers by type, and the process runtime. */
export {
  Provisioner,
  DEPLOYMENT_STATE,
  INTERRUPTED,
  INTERRUPTED_TWICE,
  type ProvisionerOptions,
  type ChangeEvent,
  type ChangeListener,
} from './provisioner';
export { HandlerRegistry } from './registry';
export { ProcessRuntime, envName, workloadMark, type ProcessRuntimeOptions, type RunRecord } from './process-runtime';
export { VolumeHandler, Ext4DiskHandler, VOLUMES_DIR, IMAGE, MOUNT_DIR } from './volume';
export { ZmountHandler, ZMOUNTS_DIR } from './zmount';
export { ZmachineHandler, runtimeId } from './zmachine';
export {
  decideRuntime,
  makeRuntime,
  processRuntimeRefusal,
  hostFacts,
  WORKLOAD_RUNTIMES,
  type WorkloadRuntimeChoice,
  type RuntimeDecision,
  type HostFacts,
} from './choose-runtime';
export {
  RuncRuntime,
  RuntimeError,
  WorkloadNetwork,
  DEFAULT_WORKLOAD_BRIDGE,
  DEFAULT_WORKLOAD_SUBNET,
  parseSubnet,
  checkBridgeName,
  readLimits,
  type RuncRuntimeOptions,
  type ImageSource,
  type RuntimeErrorCode,
  type AppliedLimits,
} from './runc';
export { StoragePools, diskOf, type Pool, type PoolKind, type PoolSpec } from './pools';
export { resolveRunAs, type RunAs } from './user';
export { Cgroups, CPU_PERIOD_US } from './cgroup';
