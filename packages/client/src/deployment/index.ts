/** The deployment protocol ("smart contract for IT"), shared by deployers and nodes. */
export { canonicalize } from './jcs';
export {
  DeploymentError,
  DeploymentFailedError,
  type DeploymentErrorCode,
  type DeploymentFailureCode,
  type NodeReason,
  type Problem,
} from './errors';
export {
  WORKLOAD_TYPES,
  assertValidDeployment,
  deploymentProblems,
  isMachine,
  type Deployment,
  type Workload,
  type WorkloadType,
} from './document';
export type {
  ComputeCapacity,
  GatewayBaseData,
  GatewayFQDNProxyData,
  GatewayNameProxyData,
  ImageRef,
  MachineMount,
  VmData,
  VolumeData,
  ZmachineData,
  ZmountData,
} from './workloads';
export {
  machineIpInSubnet,
  wireguardAddress,
  isEndpoint,
  type MachineNetwork,
  type NetworkData,
  type NetworkPeer,
  type PublicIpData,
} from './network-data';
export {
  GATEWAY_NAME,
  MAX_BACKEND_LENGTH,
  MAX_GATEWAY_BACKENDS,
  fqdnProblem,
  fqdnUnderDomain,
  gatewayBackendProblem,
  normalFqdn,
} from './gateway-data';
export { GATEWAY_TYPES, gatewayNetworkProblems, privateBackendAddress, privateBackendProblem, type HostedNetwork } from './gateway-network';
export { DeploymentBuilder, type WorkloadOptions } from './builder';
export {
  challenge,
  deploymentHash,
  signCanonical,
  verifyCanonical,
  signDeployment,
  verifyDeploymentSignature,
  type DeploymentSignature,
  type SignedDeployment,
  type SignerType,
} from './challenge';
export { SEAL_DOMAIN, REPLY_DOMAIN, nodeBoxKeyPair, replyKeyPair, seal, unseal, type BoxKeyPair } from './seal';
export { encodeEnvelope, prepareDeployment, type PreparedDeployment } from './envelope';
export { CHUNK_SIZE, fetchDeployment, notaryCalls, notaryKey, type NotaryManifest } from './notary';
export { KEY_LIMIT, MAX_CHUNKS, chunkedSetCalls, chunkedDeleteCalls, fetchChunked, kvAt, readManifest, type KvQuery } from './chunks';
export {
  ANSWER_VERSION,
  MAX_REASON,
  MAX_ANSWER_WORKLOADS,
  answerKey,
  answerCalls,
  answerChunks,
  removeAnswerCalls,
  dataHash,
  decodeAnswer,
  encodeAnswer,
  fetchAnswer,
  type AnswerInput,
  type DeploymentAnswer,
  type WorkloadAnswer,
  type WorkloadAnswerState,
} from './answer';
export { DEFAULT_MACHINE_SIZE, deploymentNeeds, type DeploymentNeeds } from './needs';
export { answerFailures, answerReady, type CreateOptions, type Deployed, type DeploymentsModule, type WaitOptions } from './deployments';
export { openDeployment, type ContractTerms, type OpenOptions, type OpenedDeployment } from './open';
export {
  nodeBoxPublicKey,
  readNodeContract,
  readTwin,
  receiveDeployment,
  type NodeContractInfo,
  type NodeContractState,
  type TwinInfo,
} from './chain';
