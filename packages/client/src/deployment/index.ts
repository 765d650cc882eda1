/** The deployment protocol ("smart contract for IT"), shared by deployers and nodes. */
export { canonicalize } from './jcs';
export { DeploymentError, type DeploymentErrorCode, type Problem } from './errors';
export { WORKLOAD_TYPES, assertValidDeployment, deploymentProblems, isMachine, type Deployment, type Workload, type WorkloadType } from './document';
export type { ComputeCapacity, GatewayNameProxyData, ImageRef, MachineMount, VmData, VolumeData, ZmachineData, ZmountData } from './workloads';
export { DeploymentBuilder, type WorkloadOptions } from './builder';
export {
  challenge,
  deploymentHash,
  signDeployment,
  verifyDeploymentSignature,
  type DeploymentSignature,
  type SignedDeployment,
  type SignerType,
} from './challenge';
export { SEAL_DOMAIN, nodeBoxKeyPair, seal, unseal, type BoxKeyPair } from './seal';
export { encodeEnvelope, prepareDeployment, type PreparedDeployment } from './envelope';
export { CHUNK_SIZE, fetchDeployment, notaryCalls, notaryKey, storeDeployment, type NotaryManifest, type StoreOptions } from './notary';
export { openDeployment, type ContractTerms, type OpenOptions, type OpenedDeployment } from './open';
export { nodeBoxPublicKey, readNodeContract, readTwin, receiveDeployment, type NodeContractInfo, type TwinInfo } from './chain';
