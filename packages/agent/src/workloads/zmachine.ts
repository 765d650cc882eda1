/**
 * `zmachine` (and its alias `vm`) on a Runtime. Capacity: cru = compute_capacity.cpu, mru =
 * compute_capacity.memory, and the root filesystem on the node's storage: `size` bytes, or
 * the client's DEFAULT_MACHINE_SIZE (2 GiB, what a small machine's writable layer is commonly given) when 0/absent —
 * counted as SRU, or HRU when the workload storage is HDD only. Mounts name volumes or zmounts of
 * the same deployment; their mounted directories (from those workloads' results) go to the runtime.
 */
import type { NetworkData, Workload, ZmachineData } from '@tfgrid/client';
import { DEFAULT_MACHINE_SIZE } from '@tfgrid/client';
import { zero } from '../core/capacity';
import type {
  Capacity,
  HandlerContext,
  MachineInterfaceSpec,
  ProvisionOptions,
  Runtime,
  WorkloadHandler,
  WorkloadState,
} from '../core/workload-types';

/** What the node can give machines beyond the node-local interface: undefined when it can, else why not. */
export interface InterfaceSupport {
  supports(kind: MachineInterfaceSpec['kind']): string | undefined;
}

export class ZmachineHandler implements WorkloadHandler {
  readonly type: 'zmachine' | 'vm';
  readonly #runtime: Runtime;
  readonly #storage: () => 'sru' | 'hru';
  readonly #interfaces: InterfaceSupport | undefined;

  /**
   * `storage`: which resource disk space counts as on this node; `type`: registered for `zmachine` or
   * its alias `vm`; `interfaces`: what the runtime's networking offers (none: node-local only).
   */
  constructor(runtime: Runtime, storage: () => 'sru' | 'hru', type: 'zmachine' | 'vm' = 'zmachine', interfaces?: InterfaceSupport) {
    this.#runtime = runtime;
    this.#storage = storage;
    this.type = type;
    this.#interfaces = interfaces;
  }

  /** Refuses, before anything is provisioned, interfaces this node cannot give. */
  async admit(w: Workload): Promise<void> {
    const n = (w.data as Partial<ZmachineData>).network;
    if (!n) return;
    const kinds: MachineInterfaceSpec['kind'][] = [
      ...(n.interfaces?.length ? ['private' as const] : []),
      ...(n.public_ip ? ['public' as const] : []),
      ...(n.planetary ? ['planetary' as const] : []),
    ];
    for (const k of kinds) {
      const why = this.#interfaces
        ? this.#interfaces.supports(k)
        : `the ${this.#runtime.name} runtime gives machines no private network, public IP or planetary address (the runc runtime does)`;
      if (why) throw new Error(`network: ${why}`);
    }
  }

  /** The machine's interfaces from its network field and the results of the workloads it names. */
  #machineInterfaces(d: ZmachineData, ctx: HandlerContext): MachineInterfaceSpec[] {
    const n = d.network;
    if (!n) return [];
    const out: MachineInterfaceSpec[] = [];
    for (const i of n.interfaces ?? []) {
      const net = ctx.workload(i.network);
      const r = ctx.result(i.network);
      if (net?.type !== 'network') throw new Error(`network '${i.network}': no network workload of that name in the deployment`);
      if (typeof r?.network_id !== 'string') throw new Error(`network '${i.network}' is not up on this node`);
      const nd = net.data as unknown as NetworkData;
      out.push({ kind: 'private', network: i.network, netId: r.network_id, ipRange: nd.ip_range, subnet: nd.subnet, ip: i.ip });
    }
    if (n.public_ip) {
      const r = ctx.result(n.public_ip);
      if (ctx.workload(n.public_ip)?.type !== 'ip')
        throw new Error(`public_ip '${n.public_ip}': no ip workload of that name in the deployment`);
      const v4 = typeof r?.ip === 'string' && typeof r.gateway === 'string' ? { ip: r.ip, gateway: r.gateway } : undefined;
      const v6 = typeof r?.ip6 === 'string' && typeof r.gateway6 === 'string' ? { ip6: r.ip6, gateway6: r.gateway6 } : undefined;
      if (!v4 && !v6) throw new Error(`public_ip '${n.public_ip}' holds no address`);
      out.push({ kind: 'public', ...v4, ...v6 });
    }
    if (n.planetary) out.push({ kind: 'planetary' });
    return out;
  }

  needs(w: Workload): Capacity {
    const d = w.data as Partial<ZmachineData>;
    const int = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
    const cc = d.compute_capacity;
    if (!int(cc?.cpu)) throw new Error('data.compute_capacity.cpu must be a positive integer');
    if (!int(cc.memory)) throw new Error('data.compute_capacity.memory must be a positive integer (bytes)');
    const rootfs = d.size === undefined || d.size === 0 ? DEFAULT_MACHINE_SIZE : d.size;
    if (!int(rootfs)) throw new Error('data.size must be an integer >= 0 (bytes)');
    return { ...zero(), cru: cc.cpu, mru: cc.memory, [this.#storage()]: rootfs };
  }

  async provision(w: Workload, ctx: HandlerContext, _previous?: WorkloadState, opts?: ProvisionOptions): Promise<Record<string, unknown>> {
    const d = w.data as unknown as ZmachineData;
    const mounts = (d.mounts ?? []).map((m) => {
      const disk = ctx.workload(m.name);
      const hostPath = ctx.result(m.name)?.path;
      if (disk?.type !== 'volume' && disk?.type !== 'zmount')
        throw new Error(`mount '${m.name}': no volume or zmount of that name in the deployment`);
      if (typeof hostPath !== 'string') throw new Error(`mount '${m.name}': the ${disk.type} is not provisioned`);
      return { name: m.name, mountpoint: m.mountpoint, hostPath };
    });
    const size = d.size === undefined || d.size === 0 ? DEFAULT_MACHINE_SIZE : d.size;
    const res = await this.#runtime.start(
      {
        id: runtimeId(ctx.contractId, w.name),
        command: d.entrypoint ?? '',
        env: d.env ?? {},
        cpu: d.compute_capacity.cpu,
        memory: d.compute_capacity.memory,
        mounts,
        ...(d.image ? { image: d.image } : {}),
        ...(d.flist ? { flist: d.flist } : {}),
        rootSize: size,
        interfaces: this.#machineInterfaces(d, ctx),
      },
      { paused: opts?.paused ?? false },
    );
    return {
      ...res,
      runtime: this.#runtime.name,
      mounts: mounts.map((m) => ({ name: m.name, mountpoint: m.mountpoint, path: m.hostPath })),
    };
  }

  async deprovision(state: WorkloadState): Promise<void> {
    await this.#runtime.remove(runtimeId(state.contractId, state.name));
  }

  async pause(state: WorkloadState): Promise<void> {
    const id = runtimeId(state.contractId, state.name);
    if (this.#runtime.status(id) !== 'unknown') await this.#runtime.pause(id);
  }

  async resume(state: WorkloadState): Promise<void> {
    await this.#runtime.resume(runtimeId(state.contractId, state.name));
  }

  async stop(state: WorkloadState): Promise<void> {
    await this.#runtime.stop(runtimeId(state.contractId, state.name));
  }
}

export function runtimeId(contractId: number, name: string): string {
  return `${contractId}-${name}`;
}
