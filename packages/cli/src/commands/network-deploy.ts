/**
 * `tfgrid deploy` of a file that spans nodes or names private networks: workloads grouped per node,
 * each network planned over the nodes whose machines join it (endpoints from the nodes' public
 * configs, or --endpoint), each machine given an address of its node's subnet, a `network`
 * workload added per node, one contract per node — all or nothing — and every node's answer
 * awaited. The plans are saved (0600) for `tfgrid network access`; their keys are never printed.
 */
import type { Deployment, NetworkPlan, TfchainClient } from '@tfgrid/client';
import { flag, list, str, type Args } from '../command';
import { chainLib, type Context } from '../context';
import { buildDeployment, type DeploymentFile } from '../deployfile';
import { CliFailure, UsageError } from '../errors';
import type { Output } from '../io';
import { machineInterfaces } from '../networkfile';
import { loadNetwork, removeNetwork, saveNetwork, type SavedMachine, type SavedNetwork } from '../netstate';
import { parseIntArg } from '../units';
import { machineLines, waitForAll, type NodeContract } from './network-wait';
import { checkCapacity, checkNode, twinOf } from './deploy';

type FileWorkload = DeploymentFile['workloads'][number];

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
  if (live.length) throw new CliFailure(`network '${name}' is deployed already (contracts ${live.join(', ')}): pick another name, or cancel them first`, { kind: 'exists', network: name, contracts: live });
}

async function plan(ctx: Context, c: TfchainClient, f: DeploymentFile, nodes: number[], endpoints: Map<number, string>): Promise<NetworkPlan[]> {
  const { planNetwork, NetworkPlanError } = await chainLib();
  const out: NetworkPlan[] = [];
  for (const n of f.networks) {
    const members = [...new Set(f.workloads.flatMap((w, i) => (machineInterfaces(w).some((x) => x.network === n.name) ? [nodes[i]!] : [])))];
    const inputs = [];
    for (const id of members) inputs.push({ nodeId: id, endpoint: await endpointOf(c, id, endpoints) });
    try {
      out.push(planNetwork({ name: n.name, ...(n.ipRange ? { ipRange: n.ipRange } : {}), nodes: inputs }));
    } catch (e) {
      if (e instanceof NetworkPlanError) throw new CliFailure(`cannot plan network '${n.name}': ${e.message}`, { kind: 'plan', network: n.name });
      throw e;
    }
    ctx.progress(`network '${n.name}' ${out[out.length - 1]!.ipRange}: ${inputs.map((x) => `node ${x.nodeId} ${x.endpoint ?? '(behind NAT)'}`).join(', ')}`);
  }
  return out;
}

/** The machines' addresses: the file's `ip` (checked against the node's subnet) or the next free one. */
async function address(f: DeploymentFile, nodes: number[], plans: NetworkPlan[]): Promise<{ workloads: FileWorkload[]; machines: Map<string, SavedMachine[]> }> {
  const { machineAddress, machineIpInSubnet } = await chainLib();
  const used = new Map<string, string[]>();
  const machines = new Map<string, SavedMachine[]>(plans.map((p) => [p.name, []]));
  // Given addresses first, so a picked one never takes them.
  for (const [i, w] of f.workloads.entries())
    for (const itf of machineInterfaces(w)) {
      const p = plans.find((x) => x.name === itf.network);
      if (!p || itf.ip === undefined) continue;
      const subnet = p.nodes.find((n) => n.nodeId === nodes[i])!.subnet;
      if (!machineIpInSubnet(itf.ip, subnet)) throw new UsageError(`workloads[${i}] ('${w.name}'): ${itf.ip} is not a machine address of network '${p.name}' on node ${nodes[i]} (its subnet is ${subnet}: .2 to .254)`);
      used.set(subnet, [...(used.get(subnet) ?? []), itf.ip]);
    }
  const workloads = f.workloads.map((w, i): FileWorkload => {
    const itfs = machineInterfaces(w);
    if (!itfs.length) return w;
    const filled = itfs.map((itf) => {
      const p = plans.find((x) => x.name === itf.network);
      if (!p) return itf;
      const subnet = p.nodes.find((n) => n.nodeId === nodes[i])!.subnet;
      const ip = itf.ip ?? machineAddress(subnet, used.get(subnet) ?? []);
      if (itf.ip === undefined) used.set(subnet, [...(used.get(subnet) ?? []), ip]);
      machines.get(p.name)!.push({ name: w.name, nodeId: nodes[i]!, ip });
      return { ...itf, ip };
    });
    return { ...w, data: { ...w.data, network: { ...(w.data.network as object), interfaces: filled } } };
  });
  return { workloads, machines };
}

/** One deployment per node: its workloads, and a `network` workload per network it is part of. */
async function perNode(f: DeploymentFile, workloads: FileWorkload[], nodes: number[], plans: NetworkPlan[], twinId: number): Promise<{ nodeId: number; d: Deployment; publicIps: number }[]> {
  const { networkData } = await chainLib();
  const out = [];
  for (const nodeId of [...new Set(nodes)]) {
    const mine = workloads.filter((_, i) => nodes[i] === nodeId).map(({ node: _n, ...w }) => w);
    const nets = plans.filter((p) => p.nodes.some((n) => n.nodeId === nodeId)).map((p) => ({ type: 'network' as const, name: p.name, description: '', metadata: '', version: 0, data: networkData(p, nodeId) as unknown as Record<string, unknown> }));
    const d = await buildDeployment({ ...f, workloads: [...nets, ...mine] }, twinId, nodeId, 0);
    out.push({ nodeId, d, publicIps: mine.filter((w) => w.type === 'ip' && w.data.v4 === true).length });
  }
  return out;
}

export async function deployAcrossNodes(ctx: Context, a: Args, f: DeploymentFile): Promise<Output> {
  const nodes = nodesOf(f, a);
  const endpoints = parseEndpoints(list(a, 'endpoint'));
  if (f.publicIps) throw new UsageError('public_ips is counted per node in a file that spans nodes: give each machine an "ip" workload on its node instead', 'deploy');
  const c = await ctx.client(true);
  const twinId = await twinOf(ctx, c);
  for (const n of f.networks) await refuseLive(ctx, c, twinId, n.name);
  for (const id of new Set(nodes)) await checkNode(c, id);
  const plans = await plan(ctx, c, f, nodes, endpoints);
  const { workloads, machines } = await address(f, nodes, plans);
  const groups = await perNode(f, workloads, nodes, plans, twinId);
  if (!flag(a, 'no-capacity-check')) for (const g of groups) await checkCapacity(ctx, g.d);
  const saved: SavedNetwork[] = plans.map((p) => ({ twinId, plan: p, contracts: [], machines: machines.get(p.name)! }));
  // Saved before anything is sent: the keys are never lost with a contract that holds them.
  for (const s of saved) ctx.progress(`network '${s.plan.name}' saved in ${saveNetwork(ctx.io, s)}`);
  const made: NodeContract[] = [];
  const cancelAll = async (why: string): Promise<string> => {
    const left: number[] = [];
    for (const m of made) await ctx.tx(`canceling contract ${m.contractId} on node ${m.nodeId} (${why})`, () => c.contracts.cancel(m.contractId)).catch(() => left.push(m.contractId));
    if (!left.length) for (const s of saved) removeNetwork(ctx.io, twinId, s.plan.name);
    return left.length ? `canceling contracts ${left.join(', ')} failed: cancel them with \`tfgrid contracts cancel\`` : `contracts ${made.map((m) => m.contractId).join(', ')} canceled`;
  };
  for (const g of groups) {
    try {
      const r = await ctx.tx(`storing the sealed deployment and creating the contract on node ${g.nodeId}`, () => c.deployments.create(g.d, { contractData: f.contractData, publicIps: g.publicIps }));
      made.push({ nodeId: g.nodeId, contractId: r.contractId, hash: r.hash, deployment: r.deployment });
      ctx.progress(`contract ${r.contractId} on node ${g.nodeId} created in block #${r.blockNumber ?? '?'}`);
    } catch (e) {
      if (!made.length) throw e;
      const after = await cancelAll(`node ${g.nodeId}'s contract failed`);
      throw new CliFailure(`creating the contract on node ${g.nodeId} failed: ${(e as Error).message}; ${after}`, { kind: 'deploy', nodeId: g.nodeId, canceled: made.map((m) => m.contractId) });
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
    networks: saved.map((s) => ({ name: s.plan.name, ipRange: s.plan.ipRange, nodes: s.plan.nodes.map((n) => ({ nodeId: n.nodeId, subnet: n.subnet, endpoint: n.endpoint ?? null })) })),
    contracts: made.map((m) => ({ nodeId: m.nodeId, contractId: m.contractId, hash: m.hash })),
    running: answers !== null,
    machines: answers ? machineLines(made, answers).json : [],
  };
  return { json: out, text: [...made.map((m) => `contract ${m.contractId} on node ${m.nodeId}${answers ? ' running (the node answered)' : ' created (not waited for)'}`), ...(answers ? machineLines(made, answers).text : [])] };
}
