/**
 * Names of a private network's parts on one node. Named namespaces and wireguard-go's control
 * sockets (/var/run/wireguard/<if>.sock) are global to the machine, so every name carries the
 * agent's instance tag (from its data directory: several agents may share a machine) and the
 * network's id (from the twin and the network's name, as Zero-OS derives its NetID).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export interface NetworkNames {
  /** Network namespace holding the network's bridge and WireGuard interface. */
  netns: string;
  /** The WireGuard interface (≤ 15 characters). */
  wg: string;
  /** The bridge inside the namespace, where this node's zmachines of the network attach. */
  bridge: string;
}

const hex = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n);

export function instanceTag(dataDir: string): string {
  return hex(path.resolve(dataDir), 4);
}

/** The network of twin `twinId` named `name` (a user's network spans nodes under one name). */
export function networkId(twinId: number, name: string): string {
  return hex(`${twinId}:${name}`, 8);
}

export function networkNames(instance: string, netId: string): NetworkNames {
  return { netns: `tfn-${instance}${netId}`, wg: `tfw${instance}${netId}`, bridge: 'br0' };
}

/** The veth pair joining a zmachine to a network: one end on the network's bridge, one inside the machine. */
export function attachmentNames(netId: string, machineId: string, index: number): { outer: string; inner: string } {
  return { outer: `v${hex(`${netId}/${machineId}`, 10)}`, inner: `n${index}` };
}
