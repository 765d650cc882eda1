/** @tfgrid/testkit: setup shared by the tests and benchmarks of the workspace packages. */
export { freePort, until } from './wait';
export { submit } from './polkadot';
export {
  ensureTwin,
  GiB,
  LOCATION,
  registerNode,
  setupDeployer,
  setupFarmer,
  startChain,
  startGrid,
  TERMS,
  type DeployerTwin,
  type Disconnects,
  type Farmer,
  type Grid,
  type NodeSetup,
  type RegisteredNode,
} from './chain';
export { SERVER_FIXTURE } from './fixtures';
export { mountsUnder, unmountUnder } from './mounts';
export { httpGet, inside, serveBusyboxImage } from './zmachine';
export { describeLayers, importsIntoFiles, importsOf, sourceFiles, type LayersOptions } from './layers';
