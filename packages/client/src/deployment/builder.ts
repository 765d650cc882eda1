/** Builds a valid deployment step by step; `build()` validates and names every broken rule. */
import { assertValidDeployment, type Deployment, type Workload, type WorkloadType } from './document';
import type { GatewayFQDNProxyData, GatewayNameProxyData, VolumeData, ZmachineData, ZmountData } from './workloads';

/** A workload's optional parts. */
export interface WorkloadOptions {
  version?: number;
  metadata?: string;
  description?: string;
}

export class DeploymentBuilder {
  #d: Deployment;

  constructor(twinId: number, nodeId: number) {
    this.#d = { version: 0, twin_id: twinId, node_id: nodeId, metadata: '', description: '', expiration: 0, workloads: [] };
  }

  version(v: number): this {
    this.#d.version = v;
    return this;
  }

  metadata(m: string): this {
    this.#d.metadata = m;
    return this;
  }

  description(text: string): this {
    this.#d.description = text;
    return this;
  }

  /** Unix seconds; a Date is converted. */
  expiration(at: number | Date): this {
    this.#d.expiration = at instanceof Date ? Math.floor(at.getTime() / 1000) : at;
    return this;
  }

  volume(name: string, data: VolumeData, opts?: WorkloadOptions): this {
    return this.workload('volume', name, { ...data }, opts);
  }

  zmachine(name: string, data: ZmachineData, opts?: WorkloadOptions): this {
    return this.workload('zmachine', name, { ...data }, opts);
  }

  /** The same machine under the alias `vm`. */
  vm(name: string, data: ZmachineData, opts?: WorkloadOptions): this {
    return this.workload('vm', name, { ...data }, opts);
  }

  zmount(name: string, data: ZmountData, opts?: WorkloadOptions): this {
    return this.workload('zmount', name, { ...data }, opts);
  }

  gatewayNameProxy(name: string, data: GatewayNameProxyData, opts?: WorkloadOptions): this {
    return this.workload('gateway-name-proxy', name, { ...data }, opts);
  }

  /** The deployer's own domain `data.fqdn` (its DNS pointing at the node) proxied to the backends. */
  gatewayFqdnProxy(name: string, data: GatewayFQDNProxyData, opts?: WorkloadOptions): this {
    return this.workload('gateway-fqdn-proxy', name, { ...data }, opts);
  }

  workload(type: WorkloadType, name: string, data: Record<string, unknown>, opts: WorkloadOptions = {}): this {
    const w: Workload = {
      version: opts.version ?? 0,
      name,
      type,
      data,
      metadata: opts.metadata ?? '',
      description: opts.description ?? '',
    };
    this.#d.workloads.push(w);
    return this;
  }

  /** A validated copy (throws DeploymentError DEPLOYMENT_INVALID / WORKLOAD_INVALID). */
  build(): Deployment {
    // A JSON round trip drops undefined members, so the document equals what the node will parse.
    const d: unknown = JSON.parse(JSON.stringify(this.#d));
    assertValidDeployment(d);
    return d;
  }
}
