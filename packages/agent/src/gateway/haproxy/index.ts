/** The HAProxy data plane the Gateway drives: the process, its runtime API, backend resolution and probes. */
export {
  EngineError,
  HAPROXY_BINARY,
  HaproxyProcess,
  endHaproxyOn,
  haproxyOn,
  type EngineErrorCode,
  type HaproxyProcessOptions,
} from './process';
export { Runtime, RuntimeError, parseServersConn, parseStatCsv, type RuntimeErrorCode, type RuntimeOptions } from './runtime';
export { LogReader } from './log-reader';
export { resolveBackend, type Resolved } from './servers';
export { probeBackend } from './probe';
