/**
 * The `ip` workload: one of the farm public IPs the chain reserved for the contract, for one
 * zmachine of the deployment (its `network.public_ip` names this workload). The machine gets it
 * on a macvlan of the node's public interface, with the farm's gateway as its default route.
 */
import type { PublicIpData, Workload } from '@tfgrid/client';
import { zero } from '../workloads/capacity';
import type { Capacity, HandlerContext, WorkloadHandler, WorkloadState } from '../workloads/types';
import { NetworkError } from './errors';

export class PublicIpHandler implements WorkloadHandler {
  readonly type = 'ip' as const;
  /** Which reserved IP each ip workload holds, by contract. */
  readonly #taken = new Map<number, Map<string, string>>();

  /** The contract pays for its IPs (ipv4u); the node's capacity is not touched. */
  needs(): Capacity {
    return zero();
  }

  async admit(w: Workload, ctx: HandlerContext): Promise<void> {
    const d = w.data as unknown as PublicIpData;
    if (d.v6 && !d.v4) throw new NetworkError('invalid', 'public IPv6 for zmachines is not offered by this node yet; ask for v4');
    if (ctx.publicIps().length === 0) throw new NetworkError('invalid', `ip '${w.name}': the contract holds no public IP; create the node contract with public_ips set to the number of ip workloads`);
  }

  async provision(w: Workload, ctx: HandlerContext, previous?: WorkloadState): Promise<Record<string, unknown>> {
    await this.admit(w, ctx);
    const mine = this.#taken.get(ctx.contractId) ?? new Map<string, string>();
    this.#taken.set(ctx.contractId, mine);
    const reserved = ctx.publicIps();
    const had = typeof previous?.result?.ip === 'string' ? previous.result.ip : mine.get(w.name);
    const inUse = new Set([...mine.entries()].filter(([name]) => name !== w.name).map(([, ip]) => ip));
    const pick = reserved.find((r) => r.ip === had && !inUse.has(r.ip)) ?? reserved.find((r) => !inUse.has(r.ip));
    if (!pick) throw new NetworkError('conflict', `ip '${w.name}': the contract's ${reserved.length} public IP(s) are all taken by other ip workloads; reserve more with the contract`);
    mine.set(w.name, pick.ip);
    return { ip: pick.ip, gateway: pick.gateway };
  }

  async deprovision(state: WorkloadState): Promise<void> {
    const mine = this.#taken.get(state.contractId);
    mine?.delete(state.name);
    if (mine?.size === 0) this.#taken.delete(state.contractId);
  }

  async pause(): Promise<void> {}
  async resume(): Promise<void> {}
}
