/**
 * `tfgrid deploy` of a file that spans nodes or names private networks: workloads grouped per node,
 * each network planned over the nodes whose machines and gateways join it (endpoints from the
 * nodes' public configs, or --endpoint; see deploy-plan.ts), one contract per node — all or
 * nothing — and every node's answer awaited. The plans are saved (0600) for `tfgrid network
 * access`; their keys are never printed.
 */
import type { TfchainClient } from '@tfgrid/client';
import { flag, list, str, type Args } from '../core/command';
import type { Context } from '../core/context';
import { checkGatewayBackends, networkMembers, networksDeployedBefore, planDeployment } from '../core/deploy-plan';
import type { DeploymentFile } from '../core/deployfile';
import { CliFailure, UsageError } from '../core/errors';
import type { Output } from '../core/io';
import { loadNetwork, removeNetwork, saveNetwork, type SavedNetwork } from '../core/netstate';
import { gatewayNetwork } from '../core/networkfile';
import { parseIntArg } from '../core/units';
import { resultLines, waitForAll, type NodeContract } from './network-wait';
import { checkCapacity, checkNode, twinOf } from './deploy';
import { checkGateways } from './gateways';

/** `--endpoint NODE_ID=HOST`: where other nodes reach a node whose public config is not on the chain. */
export function parseEndpoints(values: string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const v of values) {
    const m = /^(\d+)=([0-9.]{7,15}|[0-9a-fA-F:]{2,45})$/.exec(v);
    if (!m) throw new UsageError(`--endpoint must be NODE_ID=IP (an IPv4 or IPv6 address, no port), got '${v}'`, 'deploy');
    out.set(Number(m[1]), m[2]!);
  }
  return out;
}

/** Each workload's node: its own `node`, else --node. */
function nodesOf(f: DeploymentFile, a: Args): number[] {
  const fallback = str(a, 'node') === undefined ? undefined : parseIntArg(str(a, 'node'), '--node');
  return f.workloads.map((w, i) => {
    const n = w.node ?? fallback;
    if (n === undefined) throw new UsageError(`workloads[${i}] ('${w.name}') has no node: give it "node" in the file or --node`, 'deploy');
    return n;
  });
}

/** The node's endpoint: --endpoint, else its public config's IPv4 without the prefix; none: behind NAT. */
async function endpointOf(c: TfchainClient, nodeId: number, given: Map<number, string>): Promise<string | undefined> {
  if (given.has(nodeId)) return given.get(nodeId);
  const n = await c.nodes.get(nodeId);
  if (!n) throw new CliFailure(`cannot deploy on node ${nodeId}: it does not exist`, { kind: 'node', nodeId });
  return n.publicConfig?.ip4.ip.split('/')[0] || undefined;
}

/** A network saved before may be planned again only when none of its contracts lives. */
async function refuseLive(ctx: Context, c: TfchainClient, twinId: number, name: string): Promise<void> {
  const had = loadNetwork(ctx.io, twinId, name);
  if (!had) return;
  const live: number[] = [];
  for (const k of had.contracts) if ((await c.contracts.get(k.contractId))?.state === 'Created') live.push(k.contractId);
  if (live.length)
    throw new CliFailure(`network '${name}' is deployed already (contracts ${live.join(', ')}): pick another name, or cancel them first`, {
      kind: 'exists',
      network: name,
      contracts: live,
    });
}

/** A saved network a gateway joins must still be deployed on the gateway's node (its contract there live). */
async function requireLive(c: TfchainClient, n: SavedNetwork, nodes: number[], f: DeploymentFile): Promise<void> {
  for (const [i, w] of f.workloads.entries()) {
    if (gatewayNetwork(w) !== n.plan.name) continue;
    const k = n.contracts.find((x) => x.nodeId === nodes[i])!;
    if ((await c.contracts.get(k.contractId))?.state !== 'Created')
      throw new CliFailure(
        `gateway '${w.name}': network '${n.plan.name}' is no longer deployed on node ${nodes[i]} (contract ${k.contractId} is gone): deploy the network again, with the gateway in the same file`,
        { kind: 'network', network: n.plan.name, contractId: k.contractId },
      );
  }
}

export async function deployAcrossNodes(ctx: Context, a: Args, f: DeploymentFile): Promise<Output> {
  const nodes = nodesOf(f, a);
  const given = parseEndpoints(list(a, 'endpoint'));
  if (f.publicIps)
    throw new UsageError(
      'public_ips is counted per node in a file that spans nodes: give each machine an "ip" workload on its node instead',
      'deploy',
    );
  await checkGatewayBackends(f);
  const c = await ctx.client(true);
  const twinId = await twinOf(ctx, c);
  for (const n of f.networks) await refuseLive(ctx, c, twinId, n.name);
  const before = networksDeployedBefore(f, nodes, (name) => loadNetwork(ctx.io, twinId, name));
  for (const n of before.values()) await requireLive(c, n, nodes, f);
  for (const id of new Set(nodes)) await checkNode(c, id);
  const members = networkMembers(f, nodes);
  const reach = new Map<number, string | undefined>();
  for (const id of new Set([...members.values()].flat())) reach.set(id, await endpointOf(c, id, given));
  const { plans, machines, deployments: groups } = await planDeployment(f, nodes, reach, twinId, before);
  for (const p of plans)
    ctx.progress(`network '${p.name}' ${p.ipRange}: ${p.nodes.map((x) => `node ${x.nodeId} ${x.endpoint ?? '(behind NAT)'}`).join(', ')}`);
  await checkGateways(
    ctx,
    c,
    twinId,
    groups.map((g) => g.d),
  );
  if (!flag(a, 'no-capacity-check')) for (const g of groups) await checkCapacity(ctx, g.d);
  const saved: SavedNetwork[] = plans.map((p) => ({ twinId, plan: p, contracts: [], machines: machines.get(p.name)! }));
  // Saved before anything is sent: the keys are never lost with a contract that holds them.
  for (const s of saved) ctx.progress(`network '${s.plan.name}' saved in ${saveNetwork(ctx.io, s)}`);
  const made: NodeContract[] = [];
  const cancelAll = async (why: string): Promise<string> => {
    const left: number[] = [];
    for (const m of made)
      await ctx
        .tx(`canceling contract ${m.contractId} on node ${m.nodeId} (${why})`, () => c.contracts.cancel(m.contractId))
        .catch(() => left.push(m.contractId));
    if (!left.length) for (const s of saved) removeNetwork(ctx.io, twinId, s.plan.name);
    return left.length
      ? `canceling contracts ${left.join(', ')} failed: cancel them with \`tfgrid contracts cancel\``
      : `contracts ${made.map((m) => m.contractId).join(', ')} canceled`;
  };
  for (const g of groups) {
    try {
      const r = await ctx.tx(`storing the sealed deployment and creating the contract on node ${g.nodeId}`, () =>
        c.deployments.create(g.d, { contractData: f.contractData, publicIps: g.publicIps }),
      );
      made.push({ nodeId: g.nodeId, contractId: r.contractId, hash: r.hash, deployment: r.deployment });
      ctx.progress(`contract ${r.contractId} on node ${g.nodeId} created in block #${r.blockNumber ?? '?'}`);
    } catch (e) {
      if (!made.length) throw e;
      const after = await cancelAll(`node ${g.nodeId}'s contract failed`);
      throw new CliFailure(`creating the contract on node ${g.nodeId} failed: ${(e as Error).message}; ${after}`, {
        kind: 'deploy',
        nodeId: g.nodeId,
        canceled: made.map((m) => m.contractId),
      });
    }
    for (const s of saved) {
      if (!s.plan.nodes.some((n) => n.nodeId === g.nodeId)) continue;
      s.contracts.push({ nodeId: g.nodeId, contractId: made[made.length - 1]!.contractId, deployment: made[made.length - 1]!.deployment });
      saveNetwork(ctx.io, s);
    }
  }
  const answers = await waitForAll(ctx, c, made, a, flag(a, 'keep-on-refusal') ? undefined : cancelAll);
  const out = {
    twinId,
    networks: saved.map((s) => ({
      name: s.plan.name,
      ipRange: s.plan.ipRange,
      nodes: s.plan.nodes.map((n) => ({ nodeId: n.nodeId, subnet: n.subnet, endpoint: n.endpoint ?? null })),
    })),
    contracts: made.map((m) => ({ nodeId: m.nodeId, contractId: m.contractId, hash: m.hash })),
    running: answers !== null,
    ...(answers ? resultLines(made, answers).json : { machines: [], gateways: [] }),
  };
  return {
    json: out,
    text: [
      ...made.map(
        (m) => `contract ${m.contractId} on node ${m.nodeId}${answers ? ' running (the node answered)' : ' created (not waited for)'}`,
      ),
      ...(answers ? resultLines(made, answers).text : []),
    ],
  };
}
