/** @tfgrid/agent: the 3Node agent. */
export { Agent, type AgentOptions, type AgentState, type AgentStatus } from './agent';
export {
  loadConfig,
  helpText,
  chainUrlOf,
  parseHostPort,
  ConfigError,
  DEFAULTS,
  type AgentConfig,
  type Location,
  type ParsedArgs,
} from './config';
export { Identity, IdentityError, SEED_FILE, SEED_BACKUP } from './identity';
export { measure, reservedFor, formatHardware, SYSTEM_SSD_RESERVE, GiB, type Hardware, type Resources } from './hardware/capacity';
export { scanDisks, type Disk, type DiskKind, type SkippedDisk } from './hardware/disks';
export { scanInterfaces, type NetInterface } from './hardware/network';
export { logicalCpus, countRange } from './hardware/cpu';
export { totalMemory } from './hardware/memory';
export { serialNumber, secureBoot, virtualization } from './hardware/platform';
export { register, nodeDiff, TERMS_LINK, TERMS_HASH, MIN_BALANCE, type Registration, type RegistrationInput } from './registration';
export { UptimeReporter, type UptimeOptions } from './uptime';
export { AgentMetrics, MetricsServer, type MetricsSource } from './metrics';
export { NodeServices, type ServicesOptions, type ServicesStatus } from './services';
export { PowerManager, type PowerOptions, type PowerStatus } from './power';
export * from './contracts';
export * from './reports';
export * from './answers';
export * from './workloads';
export {
  ImageStore,
  IMAGE_DEFAULTS,
  ImageError,
  checkImageRef,
  isFlistUrl,
  flistError,
  buildBusyboxImage,
  type ImageStoreOptions,
  type ImageErrorCode,
  type ImageRef,
} from './workloads/images';
export { createExt4Image, mountExt4Image, unmountExt4Image, isMountpoint, DiskError, type DiskErrorCode } from './workloads/disk';
export { retry, sleep, backoffDelay, raceAbort } from './backoff';
export { createLogger } from './log';
