/** The Web Gateway: reverse proxy for name contracts on gateway nodes, and its workload handler. */
export { Gateway, type GatewayOptions, type GatewayState, type GatewayStatus } from './gateway';
export {
  GatewayFqdnProxyHandler,
  GatewayNameProxyHandler,
  GatewayProxyHandler,
  GatewayWorkloadError,
  type GatewayHandlerOptions,
  type GatewayNetworks,
  type GatewayWorkloadErrorCode,
  type GatewayWorkloadType,
} from './handler';
export {
  NetworkRelays,
  RelayError,
  relayNetwork,
  type NetworkRelaysOptions,
  type RelayErrorCode,
  type RelayNetwork,
  type RelayTarget,
} from './relays';
export { gatewayChain, type GatewayChain, type NameContractInfo } from './chain';
export {
  DirectoryCertificateSource,
  FULLCHAIN,
  PRIVKEY,
  type CertificateSource,
  type CertificateStatus,
  type DirectoryCertificateOptions,
} from './routes/certificates';
export { contractEffect, publicConfigDomain, type ContractEffect, type ContractEventLike } from './events';
export { DEFAULT_LIMITS, limitsWith, type GatewayLimits } from './routes/options';
export type { RouteInfo, RouteSpec, RouteState } from './routes/table';
export { GatewayMetrics, type RejectReason } from './routes/metrics';
export { gatewayFromConfig, type GatewayConfig, type GatewayFromConfigOptions } from './setup';
export { GatewayService, type GatewayEventSource, type GatewayServiceOptions } from './service';
export {
  guardedLookup,
  localReason,
  LOCAL_BACKENDS_REFUSED,
  ownAddresses,
  refuseAnswers,
  refuseLiteral,
  type BackendGuard,
  type LocalReason,
} from './routes/admission';
export { Backend, BackendError, parseBackend, type BackendNetwork } from './routes/backends';
// The HAProxy data plane the Gateway drives (its white-box tests import ./haproxy).
export {
  probeBackend,
  EngineError,
  HAPROXY_BINARY,
  HaproxyProcess,
  type EngineErrorCode,
  type HaproxyProcessOptions,
  Runtime,
  RuntimeError,
  type RuntimeErrorCode,
  type RuntimeOptions,
  resolveBackend,
  type Resolved,
} from './haproxy';
export type { GatewayServiceStart } from './service';
export { selfSignedCertificate, type SelfSignedOptions } from './routes/self-signed';
