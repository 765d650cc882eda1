/** The planetary overlay: the node's Yggdrasil daemon and its admin API. */
export { Planetary, type PlanetaryOptions, type PlanetaryStatus } from './daemon';
export { YggdrasilAdmin, type SelfInfo, type PeerInfo } from './admin';
export { writeConfig, checkUris, CONFIG_FILE, ADMIN_SOCKET } from './config';
export { PlanetaryError, type PlanetaryErrorCode } from './errors';
export {
  attachMachineRoute,
  detachMachineRoute,
  machineAddress as planetaryMachineAddress,
  hostIfName as planetaryHostIf,
  MACHINE_IF as PLANETARY_MACHINE_IF,
  type MachineRoute,
  type MachineRouteOptions,
} from './machine-route';
