/** Workload handlers by type: the provisioner's built-ins (volume, vm) and what others register (the gateway's gateway-name-proxy and gateway-fqdn-proxy). */
import type { WorkloadHandler } from '../core/workload-types';

export class HandlerRegistry {
  readonly #byType = new Map<string, WorkloadHandler>();

  constructor(handlers: WorkloadHandler[] = []) {
    for (const h of handlers) this.register(h);
  }

  /** A later registration for the same type replaces the earlier one (a node may swap a built-in). */
  register(h: WorkloadHandler): void {
    this.#byType.set(h.type, h);
  }

  get(type: string): WorkloadHandler | undefined {
    return this.#byType.get(type);
  }

  types(): string[] {
    return [...this.#byType.keys()];
  }
}
