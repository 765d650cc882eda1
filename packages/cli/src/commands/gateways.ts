/**
 * Gateways as the deployer sees them: the network a gateway joins (for its answer line), and what
 * a node checks that the deployer can check before any contract exists: the name contract a
 * gateway-name-proxy needs; for a gateway-fqdn-proxy, a gateway node (one with a domain) whose
 * domain does not cover the fqdn.
 */
import type { Deployment, DeploymentAnswer, TfchainClient } from '@tfgrid/client';
import { chainLib, type Context } from '../core/context';
import { CliFailure } from '../core/errors';

/** The private network a gateway workload joins: the node's answer says it, else the deployment sent. */
export function gatewayNetworkOf(w: DeploymentAnswer['workloads'][number], sent?: Deployment): string | undefined {
  if (!w.type.startsWith('gateway-')) return undefined;
  const said = w.data?.network ?? sent?.workloads.find((x) => x.name === w.name && x.type === w.type)?.data.network;
  return typeof said === 'string' ? said : undefined;
}

/** The domain a gateway serves: the node's answer says it, else (an fqdn proxy) the deployment sent. */
export function gatewayFqdnOf(w: DeploymentAnswer['workloads'][number], sent?: Deployment): string | undefined {
  if (typeof w.data?.fqdn === 'string') return w.data.fqdn;
  if (w.type !== 'gateway-fqdn-proxy') return undefined;
  const given = sent?.workloads.find((x) => x.name === w.name && x.type === w.type)?.data.fqdn;
  return typeof given === 'string' ? given.toLowerCase() : undefined;
}

/**
 * How an fqdn proxy's node serves HTTPS, in a few words from its answer's `https`: `https by
 * ACME`, `tls passthrough`, or `http only (…)` with the node's reason; undefined when not said.
 */
export function gatewayHttpsOf(w: DeploymentAnswer['workloads'][number]): string | undefined {
  const h = w.data?.https;
  if (w.type !== 'gateway-fqdn-proxy' || typeof h !== 'string') return undefined;
  if (h.startsWith('passthrough')) return 'tls passthrough';
  if (h.startsWith('certificate')) return 'https by ACME';
  return `http only (${h.replace(/^refused: /, 'https refused: ').slice(0, 200)})`;
}

/**
 * Refuses, before any contract exists, what a gateway node would refuse: a gateway name its twin
 * has not reserved (the node admits a gateway-name-proxy only for a live name contract of the
 * deployment's twin); a gateway-fqdn-proxy on a node without a domain, or for an fqdn that is the
 * node's domain or under it.
 */
export async function checkGateways(ctx: Context, c: TfchainClient, twinId: number, ds: Deployment[]): Promise<void> {
  const { fqdnUnderDomain } = await chainLib();
  for (const d of ds)
    for (const w of d.workloads) {
      if (w.type === 'gateway-fqdn-proxy' && typeof w.data.fqdn === 'string') {
        const fqdn = w.data.fqdn;
        ctx.progress(`checking that node ${d.node_id} is a gateway for '${fqdn}' …`);
        const domain = (await c.nodes.get(d.node_id))?.publicConfig?.domain;
        if (!domain)
          throw new CliFailure(
            `gateway '${w.name}': node ${d.node_id} is not a gateway node (its public config has no domain); pick one with \`tfgrid nodes find --domain\` (nothing was created)`,
            { kind: 'gateway', nodeId: d.node_id, fqdn },
          );
        if (fqdnUnderDomain(fqdn, domain))
          throw new CliFailure(
            `gateway '${w.name}': ${fqdn} is node ${d.node_id}'s own domain ${domain} or under it, whose names are served for name contracts: reserve a name (\`tfgrid name reserve NAME\`) and deploy a gateway-name-proxy instead (nothing was created)`,
            { kind: 'gateway', nodeId: d.node_id, fqdn, domain },
          );
        continue;
      }
      if (w.type !== 'gateway-name-proxy' || typeof w.data.name !== 'string') continue;
      const name = w.data.name;
      ctx.progress(`checking the name contract of '${name}' …`);
      const id = await c.contracts.idByName(name);
      const k = id === undefined ? undefined : await c.contracts.get(id);
      if (k?.state === 'GracePeriod')
        throw new CliFailure(
          `gateway '${w.name}' on node ${d.node_id}: the name contract ${k.id} of '${name}' is in its grace period; a node admits a new gateway only for a live name (fund your account first; nothing was created)`,
          { kind: 'name', name, contractId: k.id },
        );
      if (!k || k.state === 'Deleted')
        throw new CliFailure(
          `gateway '${w.name}' on node ${d.node_id}: the name '${name}' is not reserved: reserve it first with \`tfgrid name reserve ${name}\` (nothing was created)`,
          { kind: 'name', name },
        );
      if (k.twinId !== twinId)
        throw new CliFailure(
          `gateway '${w.name}' on node ${d.node_id}: the name '${name}' is reserved by twin ${k.twinId}, not yours (${twinId}); pick another (nothing was created)`,
          { kind: 'name', name, twinId: k.twinId },
        );
    }
}
