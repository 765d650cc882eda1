/**
 * What the network benchmark measures across: two node hosts (namespaces on a bridge standing in
 * for the Internet, 198.18.60.0/24) and one machine namespace on each, joined three ways:
 *  - a plain veth between the two machines (198.19.60.1 ↔ .2): the reference;
 *  - the private network: the agent's PrivateNetworks on each host (WireGuard between the hosts'
 *    namespaces, the machines attached to its bridge as zmachines are);
 *  - the planetary overlay: one Yggdrasil daemon per host (B listens, A peers), each machine
 *    routed an address of its node's /64 by attachMachineRoute, as a `planetary: true` zmachine.
 * Every step registers its undo first, so `close()` removes all that was made even after a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { machineAddress, networkData, planNetwork, type NetworkPlan } from '@tfgrid/client';
import { networkId, networkNames, PrivateNetworks, userspaceMark } from '../src/network';
import { attachMachineRoute, detachMachineRoute, Planetary } from '../src/planetary';
import { findMarked } from '../src/core';
import { workloadMark } from '../src/workloads';
import { makeHosts, sh, type Hosts } from '../test/support/netns';

/** Third octet of the hosts' 198.18.<n>.0/24 (tests use single digits, localgrid 200-249). */
const HOSTS_SUBNET = 60;
const VETH_A = '198.19.60.1';
const VETH_B = '198.19.60.2';
const YGG_PORT = 12360;
const PLANETARY_INDEX = 2;

export interface Paths {
  hosts: Hosts;
  /** Machine namespaces on host 0 and host 1. */
  machines: [string, string];
  /** Machine B's address on each path. */
  target: { veth: string; private: string; planetary: string };
  /** Makes a namespace that is removed by close(). */
  addMachine(name: string): string;
  /** PrivateNetworks of each host (for the network-up measurement). */
  networks: [PrivateNetworks, PrivateNetworks];
  /** The userspace daemons carrying each path on both hosts (wireguard-go; yggdrasil), to charge their CPU. */
  daemonPids(path: 'private' | 'planetary'): number[];
  /** The private network's WireGuard interface on each host: [namespace, interface]. */
  wgLinks: [string, string][];
  close(): Promise<void>;
}

/** `planetaryMtu`: the machines' planetary veth MTU (default attachMachineRoute's). */
export async function buildPaths(tag: string, logger: Logger, planetaryMtu?: number): Promise<Paths> {
  const undo: (() => Promise<void> | void)[] = [];
  const close = async (): Promise<void> => {
    for (const u of undo.reverse()) {
      try {
        await u();
      } catch (e) {
        console.error(`cleanup: ${(e as Error).message}`);
      }
    }
    undo.length = 0;
  };
  try {
    const hosts = makeHosts(tag, 2, HOSTS_SUBNET);
    undo.push(() => hosts.remove());
    const addMachine = (name: string): string => {
      const ns = `tfz-${tag}${name}`;
      sh(['ip', 'netns', 'add', ns]);
      undo.push(() => void sh(['ip', 'netns', 'del', ns]));
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      return ns;
    };
    const machines: [string, string] = [addMachine('a'), addMachine('b')];

    // The reference: the two machines on one veth, nothing in between.
    sh(['ip', '-n', machines[0], 'link', 'add', 'ref0', 'type', 'veth', 'peer', 'name', 'ref0', 'netns', machines[1]]);
    for (const [i, a] of [VETH_A, VETH_B].entries()) {
      sh(['ip', '-n', machines[i]!, 'addr', 'add', `${a}/30`, 'dev', 'ref0']);
      sh(['ip', '-n', machines[i]!, 'link', 'set', 'ref0', 'up']);
    }

    const instances = [0, 1].map((h) => `${h}${tag.slice(-3)}`);
    const networks = instances.map((inst, h) => new PrivateNetworks(inst, logger, hosts.hosts[h]!.ns)) as [
      PrivateNetworks,
      PrivateNetworks,
    ];
    const plan = twoNodePlan(hosts, 'bench');
    const id = networkId(1, `${tag}-bench`);
    for (const h of [0, 1]) {
      undo.push(() => networks[h]!.remove(id));
      await networks[h]!.ensure(id, networkData(plan, h + 1));
      await networks[h]!.attach(id, networkData(plan, h + 1), `m${h}`, machines[h]!, 0, machineAddress(plan.nodes[h]!.subnet));
    }

    const dir = mkdtempSync(path.join(os.tmpdir(), 'net-bench-'));
    undo.push(() => rmSync(dir, { recursive: true, force: true }));
    const listen = `tcp://${hosts.hosts[1]!.ip}:${YGG_PORT}`;
    const subnets: string[] = [];
    for (const h of [1, 0]) {
      const d = new Planetary({
        dir: path.join(dir, `n${h}`),
        netns: hosts.hosts[h]!.ns,
        ifName: `${tag}y`,
        logger,
        ...(h === 1 ? { listen: [listen] } : { peers: [listen] }),
      });
      undo.push(() => d.stop());
      subnets[h] = (await d.start()).subnet;
    }
    const planetary: string[] = [];
    for (const h of [0, 1]) {
      undo.push(() => detachMachineRoute({ hostNs: hosts.hosts[h]!.ns, machineNs: machines[h]!, index: PLANETARY_INDEX }));
      planetary[h] = (
        await attachMachineRoute({
          hostNs: hosts.hosts[h]!.ns,
          subnet: subnets[h]!,
          machineNs: machines[h]!,
          index: PLANETARY_INDEX,
          ...(planetaryMtu ? { mtu: planetaryMtu } : {}),
        })
      ).address;
    }
    const daemonPids = (which: 'private' | 'planetary'): number[] =>
      which === 'private'
        ? instances.flatMap((inst) => findMarked(userspaceMark(inst, networkNames(inst, id).wg)))
        : [0, 1].flatMap((h) => findMarked(workloadMark(path.join(dir, `n${h}`), 'planetary')));
    const wgLinks = networks.map((n): [string, string] => [n.names(id).netns, n.names(id).wg]);
    return {
      hosts,
      machines,
      target: { veth: VETH_B, private: machineAddress(plan.nodes[1]!.subnet), planetary: planetary[1]! },
      addMachine,
      networks,
      daemonPids,
      wgLinks,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** A network across the two hosts, both with a public endpoint (their bridge addresses); WireGuard on basePort, +1. */
export function twoNodePlan(hosts: Hosts, name: string, basePort = 41000): NetworkPlan {
  let port = basePort;
  return planNetwork({ name, nodes: hosts.hosts.map((h, i) => ({ nodeId: i + 1, endpoint: h.ip })), port: () => port++ });
}
