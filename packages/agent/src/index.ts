/**
 * @tfgrid/agent: the 3Node agent. What its users take: an Agent to run, its config (argv and
 * environment, the help text, the chain URL), the node's identity, the measured capacity and a
 * logger; the busybox image, the local ACME server, the network names and the planetary daemon the
 * local grid, `npm start` and the CLI's tests use. The folders' indexes (workloads, network,
 * gateway, contracts, reports, hardware, …) hold what the agent's own white-box tests reach.
 * The bin (`tfgrid-agent`) runs src/cli.ts.
 */
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
} from './config/config';
export { Identity, IdentityError, SEED_FILE, SEED_BACKUP } from './identity';
export { measure, formatHardware, type Hardware, type Resources } from './hardware';
export { createLogger } from './core';
export { buildBusyboxImage } from './workloads/images';
export { startLocalAcmeServer, type LocalAcmeServer } from './gateway/acme';
export { instanceTag, networkId, networkNames } from './network';
export { Planetary } from './planetary';
// Building blocks of the bottom layer (src/core): errors with a code, retries and backoff, the
// coalescing queue; the agent's tests and benchmarks reach them here.
export { CodedError, errorCode } from './core';
export { retry, sleep, backoffDelay, raceAbort } from './core';
export { CoalescingQueue, type CoalescingQueueOptions } from './core';
