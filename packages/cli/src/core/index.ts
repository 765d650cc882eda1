/**
 * The CLI's building blocks below its commands: the command table's types, the context (chain,
 * explorer, key), errors, output, units, deployment and network files, saved network state.
 * The commands import the files they need; tests reach them through this index.
 */
export { checkGatewayBackends, networksDeployedBefore, planDeployment } from './deploy-plan';
export { buildDeployment, parseDeploymentFile } from './deployfile';
export { networkGateways, type SavedNetwork } from './netstate';
