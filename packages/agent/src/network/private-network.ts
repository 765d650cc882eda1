/**
 * A user's private network on this node (Zero-OS's network resource): one namespace holding a
 * bridge with the first address of the node's /24 — the gateway of this node's zmachines on the
 * network — and the WireGuard interface (address 100.64.x.y of the subnet, as Zero-OS numbers
 * them) with a route to every peer's allowed IPs. Zmachines join through a veth pair, one end on
 * the bridge, the other inside the machine. Nothing routes between two networks, or from a
 * network to the node: each lives in its own namespace.
 */
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import { formatIpv4, parseCidr4, wireguardAddress, type NetworkData } from '@tfgrid/client';
import { NetworkError } from './errors';
import { attachmentNames, networkNames, type NetworkNames } from './names';
import { inNs, ipIn, net, tryNet } from './run';
import { configure, ensureInterface, stopUserspace } from './wireguard';

/** The wg address's prefix: the whole 100.64.0.0/16 of WireGuard addresses is on-link. */
const WG_PREFIX = 16;

export interface NetworkResult {
  netns: string;
  subnet: string;
  gateway: string;
  wireguard_ip: string;
  wireguard_listen_port: number;
}

export class PrivateNetworks {
  readonly #instance: string;
  readonly #log: Logger;
  readonly #hostNs: string | undefined;

  /** `hostNs`: the namespace that stands for the node (its WireGuard sockets live there); default the agent's own. */
  constructor(instance: string, logger: Logger, hostNs?: string) {
    this.#instance = instance;
    this.#hostNs = hostNs;
    this.#log = logger.child({ module: 'private-network' });
  }

  names(netId: string): NetworkNames {
    return networkNames(this.#instance, netId);
  }

  /** Brings the network to `d` (create or update in place). */
  async ensure(netId: string, d: NetworkData): Promise<NetworkResult> {
    const n = this.names(netId);
    const subnet = parseCidr4(d.subnet);
    if (!subnet) throw new NetworkError('invalid', `subnet ${d.subnet} is not an IPv4 network`);
    const gateway = formatIpv4(subnet.base + 1);
    const wgIp = wireguardAddress(d.subnet);
    if (!existsSync(`/run/netns/${n.netns}`)) await net('ip', ['netns', 'add', n.netns]);
    await ipIn(n.netns, ['link', 'set', 'lo', 'up']);
    await inNs(n.netns, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    if ((await tryNet('ip', ['-n', n.netns, 'link', 'show', 'dev', n.bridge])) === undefined)
      await ipIn(n.netns, ['link', 'add', n.bridge, 'type', 'bridge']);
    await ipIn(n.netns, ['addr', 'replace', `${gateway}/24`, 'dev', n.bridge]);
    await ipIn(n.netns, ['link', 'set', n.bridge, 'up']);
    await ensureInterface(this.#instance, n.netns, n.wg, this.#hostNs);
    await configure(n.netns, n.wg, {
      privateKey: d.wireguard_private_key,
      listenPort: d.wireguard_listen_port,
      peers: d.peers.map((p) => ({ publicKey: p.wireguard_public_key, allowedIps: p.allowed_ips, endpoint: p.endpoint })),
    });
    await ipIn(n.netns, ['addr', 'replace', `${wgIp}/${WG_PREFIX}`, 'dev', n.wg]);
    await ipIn(n.netns, ['link', 'set', n.wg, 'up']);
    await this.#routes(n, d);
    this.#log.info(
      { netId, netns: n.netns, subnet: d.subnet, peers: d.peers.length, port: d.wireguard_listen_port },
      'private network ready',
    );
    return { netns: n.netns, subnet: d.subnet, gateway, wireguard_ip: wgIp, wireguard_listen_port: d.wireguard_listen_port };
  }

  /** One route per allowed network of the peers through the WireGuard interface; stale ones removed. */
  async #routes(n: NetworkNames, d: NetworkData): Promise<void> {
    const wanted = new Set<string>();
    for (const p of d.peers)
      for (const a of p.allowed_ips) if (!a.startsWith('100.64.')) wanted.add(a.endsWith('/32') ? a.slice(0, -3) : a);
    const have = (JSON.parse(await ipIn(n.netns, ['-j', 'route', 'show', 'dev', n.wg])) as { dst: string; protocol?: string }[])
      .filter((r) => r.protocol !== 'kernel')
      .map((r) => r.dst);
    for (const r of have) if (!wanted.has(r)) await tryNet('ip', ['-n', n.netns, 'route', 'del', r, 'dev', n.wg]);
    for (const r of wanted) await ipIn(n.netns, ['route', 'replace', r, 'dev', n.wg]);
  }

  /** Removes the namespace (and all inside it) and the userspace WireGuard process (idempotent). */
  async remove(netId: string): Promise<void> {
    const n = this.names(netId);
    if (existsSync(`/run/netns/${n.netns}`)) await net('ip', ['netns', 'del', n.netns]);
    await stopUserspace(this.#instance, n.wg);
    this.#log.info({ netId, netns: n.netns }, 'private network removed');
  }

  /**
   * Joins a zmachine (its namespace `machineNs`) to the network with `ip`: interface n<index> inside,
   * routes to the whole network range and the WireGuard addresses through this node's gateway.
   */
  async attach(
    netId: string,
    d: Pick<NetworkData, 'ip_range' | 'subnet'>,
    machineId: string,
    machineNs: string,
    index: number,
    ip: string,
  ): Promise<{ ifName: string }> {
    const n = this.names(netId);
    const a = attachmentNames(netId, machineId, index);
    const gateway = formatIpv4(parseCidr4(d.subnet)!.base + 1);
    if ((await tryNet('ip', ['-n', n.netns, 'link', 'show', 'dev', a.outer])) === undefined) {
      await tryNet('ip', ['-n', machineNs, 'link', 'del', a.inner]);
      await ipIn(n.netns, ['link', 'add', a.outer, 'type', 'veth', 'peer', 'name', a.inner, 'netns', machineNs]);
    }
    await ipIn(n.netns, ['link', 'set', a.outer, 'master', n.bridge, 'up']);
    await ipIn(machineNs, ['addr', 'replace', `${ip}/24`, 'dev', a.inner]);
    await ipIn(machineNs, ['link', 'set', a.inner, 'up']);
    await ipIn(machineNs, ['route', 'replace', d.ip_range, 'via', gateway, 'dev', a.inner]);
    await ipIn(machineNs, ['route', 'replace', `100.64.0.0/${WG_PREFIX}`, 'via', gateway, 'dev', a.inner]);
    return { ifName: a.inner };
  }

  async detach(netId: string, machineId: string, index: number): Promise<void> {
    const n = this.names(netId);
    await tryNet('ip', ['-n', n.netns, 'link', 'del', attachmentNames(netId, machineId, index).outer]);
  }
}
