/**
 * The `ip` workload, for one zmachine of the deployment (its `network.public_ip` names this
 * workload). `v4`: one of the farm public IPs the chain reserved for the contract, with the farm's
 * gateway. `v6`: an address of the node's public IPv6 network (its public config `ip6` on the
 * chain), derived from the contract and the workload (see public-ipv6.ts), with the config's
 * gateway. The machine gets them on a macvlan of the node's public interface. What each workload
 * holds is in its result, so after a restart recovery hands the same addresses back.
 */
import type { PublicIpData, TfchainClient, Workload } from '@tfgrid/client';
import { zero } from '../core/capacity';
import type { Capacity, HandlerContext, WorkloadHandler, WorkloadState } from '../core/workload-types';
import { NetworkError } from './errors';
import { ipv6Key, machineIpv6, type MachineIpv6, type NodeIpv6 } from './public-ipv6';

/**
 * The node's public config `ip6`: null when it has none, undefined when it cannot be read now
 * (the agent recovers its workloads before it reaches the chain).
 */
export type NodeIpv6Source = () => Promise<NodeIpv6 | null | undefined>;

/** The `ip6` of node `nodeId`'s public config on the chain. */
export async function chainNodeIpv6(client: Pick<TfchainClient, 'nodes'>, nodeId: number): Promise<NodeIpv6 | null> {
  const node = await client.nodes.get(nodeId);
  return node?.publicConfig?.ip6 ?? null;
}

export interface PublicIpOptions {
  /** The node's interface toward the farm's public network (`--public-interface`); v6 needs it. */
  publicInterface?: string;
  /** Where the node's public IPv6 network comes from; without it v6 is refused. */
  nodeIpv6?: NodeIpv6Source;
}

const key = (contractId: number, name: string): string => `${contractId}/${name}`;

export class PublicIpHandler implements WorkloadHandler {
  readonly type = 'ip' as const;
  readonly #o: PublicIpOptions;
  /** Which reserved IP each ip workload holds, by contract. */
  readonly #taken = new Map<number, Map<string, string>>();
  /** The IPv6 address (canonical text) each ip workload of the node holds, by `contract/name`. */
  readonly #taken6 = new Map<string, string>();

  constructor(o: PublicIpOptions = {}) {
    this.#o = o;
  }

  /** The contract pays for its IPs (ipv4u); the node's capacity is not touched. */
  needs(): Capacity {
    return zero();
  }

  async admit(w: Workload, ctx: HandlerContext): Promise<void> {
    const d = w.data as unknown as PublicIpData;
    if (d.v4 !== true && d.v6 !== true) throw new NetworkError('invalid', `ip '${w.name}': ask for v4, v6 or both`);
    if (d.v6 && !this.#o.publicInterface)
      throw new NetworkError(
        'invalid',
        `ip '${w.name}': public IPv6 needs the node's public interface (--public-interface), and this node has none configured`,
      );
    if (d.v6 && !this.#o.nodeIpv6)
      throw new NetworkError(
        'invalid',
        `ip '${w.name}': this node does not read its public IPv6 network from its public config; ask for v4`,
      );
    if (d.v4 && ctx.publicIps().length === 0)
      throw new NetworkError(
        'invalid',
        `ip '${w.name}': the contract holds no public IP; create the node contract with public_ips set to the number of ip workloads`,
      );
  }

  async provision(w: Workload, ctx: HandlerContext, previous?: WorkloadState): Promise<Record<string, unknown>> {
    await this.admit(w, ctx);
    const d = w.data as unknown as PublicIpData;
    // An update may drop a family: what it held is free again.
    if (!d.v4) this.#release4(ctx.contractId, w.name);
    if (!d.v6) this.#taken6.delete(key(ctx.contractId, w.name));
    return { ...(d.v4 ? this.#v4(w.name, ctx, previous) : {}), ...(d.v6 ? await this.#v6(w.name, ctx.contractId, previous) : {}) };
  }

  #v4(name: string, ctx: HandlerContext, previous?: WorkloadState): { ip: string; gateway: string } {
    const mine = this.#taken.get(ctx.contractId) ?? new Map<string, string>();
    this.#taken.set(ctx.contractId, mine);
    const reserved = ctx.publicIps();
    const had = typeof previous?.result?.ip === 'string' ? previous.result.ip : mine.get(name);
    const inUse = new Set([...mine.entries()].filter(([n]) => n !== name).map(([, ip]) => ip));
    const pick = reserved.find((r) => r.ip === had && !inUse.has(r.ip)) ?? reserved.find((r) => !inUse.has(r.ip));
    if (!pick)
      throw new NetworkError(
        'conflict',
        `ip '${name}': the contract's ${reserved.length} public IP(s) are all taken by other ip workloads; reserve more with the contract`,
      );
    mine.set(name, pick.ip);
    return { ip: pick.ip, gateway: pick.gateway };
  }

  async #v6(name: string, contractId: number, previous?: WorkloadState): Promise<MachineIpv6> {
    const k = key(contractId, name);
    const prev = previous?.result;
    const had = typeof prev?.ip6 === 'string' ? prev.ip6 : undefined;
    const taken = new Set([...this.#taken6].filter(([other]) => other !== k).map(([, a]) => a));
    let cfg: NodeIpv6 | null | undefined;
    try {
      cfg = await this.#o.nodeIpv6!();
    } catch (e) {
      if (!had)
        throw new NetworkError(
          'command-failed',
          `ip '${name}': the node's public config could not be read from the chain: ${(e as Error).message}`,
        );
    }
    let got: MachineIpv6;
    if (cfg === undefined) {
      // Chain not reachable now (recovery at start): what the workload held stands, unless another took it meanwhile.
      const hadKey = had ? ipv6Key(had) : undefined;
      if (!had || !hadKey || typeof prev?.gateway6 !== 'string')
        throw new NetworkError(
          'invalid',
          `ip '${name}': the node's public config is not known yet (the chain has not been read); public IPv6 waits for it`,
        );
      if (taken.has(hadKey))
        throw new NetworkError('conflict', `ip '${name}': its IPv6 address ${had} is held by another ip workload of this node`);
      got = { ip6: had, gateway6: prev.gateway6 };
    } else if (cfg === null) {
      throw new NetworkError(
        'invalid',
        `ip '${name}': this node's public config on the chain has no ip6, so it offers no public IPv6; ask for v4`,
      );
    } else {
      got = machineIpv6(cfg, contractId, name, taken, had);
    }
    this.#taken6.set(k, ipv6Key(got.ip6)!);
    return got;
  }

  #release4(contractId: number, name: string): void {
    const mine = this.#taken.get(contractId);
    mine?.delete(name);
    if (mine?.size === 0) this.#taken.delete(contractId);
  }

  async deprovision(state: WorkloadState): Promise<void> {
    this.#release4(state.contractId, state.name);
    this.#taken6.delete(key(state.contractId, state.name));
  }

  async pause(): Promise<void> {}
  async resume(): Promise<void> {}
}
