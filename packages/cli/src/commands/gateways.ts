/**
 * Gateways as the deployer sees them: the network a gateway joins (for its answer line), and the
 * name contract a gateway-name-proxy needs, checked before any contract exists.
 */
import type { Deployment, DeploymentAnswer, TfchainClient } from '@tfgrid/client';
import type { Context } from '../context';
import { CliFailure } from '../errors';

/** The private network a gateway workload joins: the node's answer says it, else the deployment sent. */
export function gatewayNetworkOf(w: DeploymentAnswer['workloads'][number], sent?: Deployment): string | undefined {
  if (!w.type.startsWith('gateway-')) return undefined;
  const said = w.data?.network ?? sent?.workloads.find((x) => x.name === w.name && x.type === w.type)?.data.network;
  return typeof said === 'string' ? said : undefined;
}

/**
 * Refuses, before any contract exists, a gateway name its twin has not reserved: the node admits
 * a gateway-name-proxy only for a live name contract of the deployment's twin.
 */
export async function checkGatewayNames(ctx: Context, c: TfchainClient, twinId: number, ds: Deployment[]): Promise<void> {
  for (const d of ds)
    for (const w of d.workloads) {
      if (w.type !== 'gateway-name-proxy' || typeof w.data.name !== 'string') continue;
      const name = w.data.name;
      ctx.progress(`checking the name contract of '${name}' …`);
      const id = await c.contracts.idByName(name);
      const k = id === undefined ? undefined : await c.contracts.get(id);
      if (k?.state === 'GracePeriod') throw new CliFailure(`gateway '${w.name}' on node ${d.node_id}: the name contract ${k.id} of '${name}' is in its grace period; a node admits a new gateway only for a live name (fund your account first; nothing was created)`, { kind: 'name', name, contractId: k.id });
      if (!k || k.state === 'Deleted') throw new CliFailure(`gateway '${w.name}' on node ${d.node_id}: the name '${name}' is not reserved: reserve it first with \`tfgrid name reserve ${name}\` (nothing was created)`, { kind: 'name', name });
      if (k.twinId !== twinId) throw new CliFailure(`gateway '${w.name}' on node ${d.node_id}: the name '${name}' is reserved by twin ${k.twinId}, not yours (${twinId}); pick another (nothing was created)`, { kind: 'name', name, twinId: k.twinId });
    }
}
