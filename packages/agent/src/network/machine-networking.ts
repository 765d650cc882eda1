/**
 * Puts a zmachine's interfaces into its namespace before its command starts: a veth to the bridge
 * of each private network it joins (n0, n1, …), a macvlan of the node's public interface for its
 * public IPv4 and/or IPv6 (pub0, default routes via the farm's gateway and the node's IPv6
 * gateway), and its planetary address. Idempotent: an adopted machine keeps what it has;
 * interfaces it no longer has are removed.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { parseIpv4 } from '@tfgrid/client';
import { PLANETARY_MACHINE_IF } from '../planetary';
import type { MachineInterfaceSpec, MachineNetworking } from '../core/workload-types';
import { NetworkError } from './errors';
import type { PrivateNetworks } from './private-network';
import { inNs, ipIn, net, tryNet } from './run';

export interface MachineNetworkingOptions {
  networks: PrivateNetworks;
  /** The node's interface toward the farm's public network, for public IPs. */
  publicInterface?: string;
  /**
   * Gives the machine its planetary address, `index` being unique among the node's machines
   * (undefined where the node runs no overlay).
   */
  planetary?: (machineNs: string, index: number) => Promise<string>;
  logger: Logger;
}

export class ZmachineNetworking implements MachineNetworking {
  readonly #o: MachineNetworkingOptions;
  readonly #log: Logger;

  constructor(o: MachineNetworkingOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'machine-networking' });
  }

  /** Whether this node can give machines the kind of interface (admission asks before anything runs). */
  supports(kind: MachineInterfaceSpec['kind']): string | undefined {
    if (kind === 'public' && !this.#o.publicInterface)
      return 'this node has no public interface configured (--public-interface) for public IPs';
    if (kind === 'planetary' && !this.#o.planetary) return 'this node runs no planetary overlay';
    return undefined;
  }

  async attach(id: string, netns: string, interfaces: MachineInterfaceSpec[], nodeLocal: string): Promise<Record<string, unknown>> {
    const ns = netns.startsWith('/run/netns/') ? netns.slice('/run/netns/'.length) : netns;
    const out: { private: Record<string, string>; public?: string; public_ipv6?: string; planetary?: string } = { private: {} };
    const keep = new Set<string>(['lo', 'eth0']);
    let index = 0;
    for (const i of interfaces) {
      const why = this.supports(i.kind);
      if (why) throw new NetworkError('invalid', why);
      if (i.kind === 'private') {
        const { ifName } = await this.#o.networks.attach(i.netId, { ip_range: i.ipRange, subnet: i.subnet }, id, ns, index++, i.ip);
        keep.add(ifName);
        out.private[i.network] = i.ip;
      } else if (i.kind === 'public') {
        await this.#public(id, ns, i);
        keep.add('pub0');
        if (i.ip) out.public = i.ip;
        if (i.ip6) out.public_ipv6 = i.ip6;
      } else {
        // The node-local address's low 16 bits: unique and kept across restarts for each machine of the node.
        out.planetary = await this.#o.planetary!(ns, (parseIpv4(nodeLocal) ?? 0) % 65536 || 1);
        keep.add(PLANETARY_MACHINE_IF);
      }
    }
    // What an earlier version of the machine had and this one does not.
    const links = JSON.parse(await ipIn(ns, ['-j', 'link', 'show'])) as { ifname: string }[];
    for (const l of links) if (!keep.has(l.ifname)) await tryNet('ip', ['-n', ns, 'link', 'del', l.ifname]);
    this.#log.info(
      { id, private: Object.keys(out.private).length, public: !!out.public, publicIpv6: !!out.public_ipv6, planetary: !!out.planetary },
      'machine interfaces attached',
    );
    return out;
  }

  async #public(id: string, ns: string, p: Extract<MachineInterfaceSpec, { kind: 'public' }>): Promise<void> {
    if ((await tryNet('ip', ['-n', ns, 'link', 'show', 'dev', 'pub0'])) === undefined) {
      // Made on the node's side under a unique name, then moved in and renamed.
      const tmp = `m${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
      await tryNet('ip', ['link', 'del', tmp]);
      await net('ip', ['link', 'add', tmp, 'link', this.#o.publicInterface!, 'type', 'macvlan', 'mode', 'bridge']);
      await net('ip', ['link', 'set', tmp, 'netns', ns]);
      await ipIn(ns, ['link', 'set', tmp, 'name', 'pub0']);
    }
    // Exactly the addresses of its ip workload: none taken from router advertisements of the farm's network.
    await inNs(ns, ['sysctl', '-qw', 'net.ipv6.conf.pub0.accept_ra=0', 'net.ipv6.conf.pub0.autoconf=0']);
    // Global addresses only: the link-local one stays, neighbour discovery speaks from it.
    await ipIn(ns, ['addr', 'flush', 'dev', 'pub0', 'scope', 'global']);
    if (p.ip) await ipIn(ns, ['addr', 'add', p.ip, 'dev', 'pub0']);
    // No duplicate address detection: the node checked its own hand-outs, and the address is derived
    // from a contract id unique on the chain, so other nodes sharing the prefix derive others.
    if (p.ip6) await ipIn(ns, ['addr', 'add', p.ip6, 'dev', 'pub0', 'nodad']);
    await ipIn(ns, ['link', 'set', 'pub0', 'up']);
    // The public side becomes the machine's way out; the node stays reachable on eth0's own subnet.
    if (p.gateway) await ipIn(ns, ['route', 'replace', 'default', 'via', p.gateway, 'dev', 'pub0']);
    if (p.gateway6) await ipIn(ns, ['-6', 'route', 'replace', 'default', 'via', p.gateway6, 'dev', 'pub0']);
    else await tryNet('ip', ['-n', ns, '-6', 'route', 'del', 'default', 'dev', 'pub0']);
  }
}
