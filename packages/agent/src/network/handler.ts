/**
 * The `network` workload: this node's part of a user's private network. Its id comes from the
 * owner twin and the workload's name, so the same network on other nodes (other deployments of the
 * same user) is the same mesh; another twin's network of the same name is another network. Holds no
 * capacity; a listen port another network of this node uses, or a network another contract of this
 * node already holds, is refused.
 */
import type { NetworkData, Workload } from '@tfgrid/client';
import { formatIpv4, parseCidr4, wireguardPublicKey } from '@tfgrid/client';
import { zero } from '../core/capacity';
import type { Capacity, HandlerContext, WorkloadHandler, WorkloadState } from '../core/workload-types';
import { NetworkError } from './errors';
import { networkId } from './names';
import type { PrivateNetworks } from './private-network';

interface Held {
  contractId: number;
  port: number;
  network: HostedNetwork;
}

/** A network this node hosts, as other workloads joining it (a gateway's `network`) see it. */
export interface HostedNetwork {
  /** The network workload's name (same twin). */
  name: string;
  netId: string;
  netns: string;
  /** The whole network's range, and this node's subnet of it. */
  ipRange: string;
  subnet: string;
  /** The node's own address in the network: its subnet's gateway (.1). */
  gateway: string;
}

/** Told when a network of the node comes up (created, updated, recovered) and before it is removed. */
export interface NetworkHooks {
  ready?(n: HostedNetwork): Promise<void>;
  removing?(netId: string): Promise<void>;
}

export class NetworkHandler implements WorkloadHandler {
  readonly type = 'network' as const;
  readonly #networks: PrivateNetworks;
  /** Networks of this node by id: who holds it and on which UDP port. */
  readonly #held = new Map<string, Held>();

  readonly #hooks: NetworkHooks;

  constructor(networks: PrivateNetworks, hooks: NetworkHooks = {}) {
    this.#networks = networks;
    this.#hooks = hooks;
  }

  get networks(): PrivateNetworks {
    return this.#networks;
  }

  /** Twin `twinId`'s network `name` when this node hosts it (in any of the twin's deployments). */
  hosted(twinId: number, name: string): HostedNetwork | undefined {
    return this.#held.get(networkId(twinId, name))?.network;
  }

  needs(): Capacity {
    return zero();
  }

  async admit(w: Workload, ctx: HandlerContext): Promise<void> {
    const d = w.data as unknown as NetworkData;
    const id = networkId(ctx.twinId, w.name);
    const holder = this.#held.get(id);
    if (holder && holder.contractId !== ctx.contractId)
      throw new NetworkError(
        'conflict',
        `network '${w.name}' already runs on this node for contract ${holder.contractId}: a node holds one part of a network`,
      );
    for (const [other, h] of this.#held) {
      if (other !== id && h.port === d.wireguard_listen_port)
        throw new NetworkError(
          'conflict',
          `wireguard_listen_port ${d.wireguard_listen_port} is taken by another network on this node; pick another port`,
        );
    }
  }

  async provision(w: Workload, ctx: HandlerContext): Promise<Record<string, unknown>> {
    await this.admit(w, ctx);
    const d = w.data as unknown as NetworkData;
    const id = networkId(ctx.twinId, w.name);
    const subnet = parseCidr4(d.subnet);
    const network: HostedNetwork = {
      name: w.name,
      netId: id,
      netns: this.#networks.names(id).netns,
      ipRange: d.ip_range,
      subnet: d.subnet,
      gateway: subnet ? formatIpv4(subnet.base + 1) : '',
    };
    this.#held.set(id, { contractId: ctx.contractId, port: d.wireguard_listen_port, network });
    const r = await this.#networks.ensure(id, d);
    await this.#hooks.ready?.(network);
    return { ...r, network_id: id, wireguard_public_key: wireguardPublicKey(d.wireguard_private_key) };
  }

  async deprovision(state: WorkloadState): Promise<void> {
    const id = typeof state.result?.network_id === 'string' ? state.result.network_id : undefined;
    if (!id) return;
    await this.#hooks.removing?.(id);
    await this.#networks.remove(id);
    if (this.#held.get(id)?.contractId === state.contractId) this.#held.delete(id);
  }

  /** A paused deployment keeps its network: only its machines are frozen. */
  async pause(): Promise<void> {}
  async resume(): Promise<void> {}
  /** Left up when the agent stops: traffic between the user's machines goes on. */
  async stop(): Promise<void> {}
}
