/**
 * The bottom layer: what every folder above shares and nothing here imports from above. Errors
 * with a code, retries and backoff, the coalescing queue, the logger, small JSON state files, the
 * agent's Prometheus metrics, IP address parsing, /proc readers, log rotation, and the workload
 * vocabulary: capacity and its arithmetic, workload states, the handler, runtime and provisioner
 * interfaces.
 */
export { CodedError, errorCode } from './coded-error';
export { retry, sleep, backoffDelay, raceAbort, type BackoffOptions } from './backoff';
export { CoalescingQueue, type CoalescingQueueOptions } from './coalescing-queue';
export { createLogger } from './log';
export { readJsonFile, writeJsonFile } from './json-file';
export { AgentMetrics, MetricsServer, type MetricsSource } from './metrics';
export { addressOf, addressText, classify, embeddedIPv4, hostPort, parseIPv4, parseIPv6, type AddressClass } from './address';
export { readStat, isAlive, findMarked, MARKER_VAR, type ProcStat } from './proc';
export { rotateLog } from './log-rotate';
export { RESOURCES, zero, add, subFloor, sum, shortfalls, describeShortfalls, formatBytes, type Resource } from './capacity';
export { isLive, ZERO, type ProvisionerPort } from './provisioner-port';
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
  RuntimeEvent,
  NruSink,
} from './workload-types';
