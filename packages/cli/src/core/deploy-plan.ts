/**
 * What `tfgrid deploy` sends for a file spanning nodes, worked out before anything is sent: each
 * network planned over the nodes of the machines and gateways that join it, each machine given an
 * address of its node's subnet, each gateway backend naming a machine given that machine's
 * address, and one deployment per node holding its workloads and a `network` workload per network
 * it is part of. A gateway may also join a network deployed before (a saved one already on its
 * node): its backends are then that network's. No chain here: endpoints and saved networks are
 * handed in.
 */
import type { Deployment, NetworkPlan } from '@tfgrid/client';
import { chainLib } from './context';
import { buildDeployment, type DeploymentFile } from './deployfile';
import { CliFailure, UsageError } from './errors';
import { backendAt, backendMachine, gatewayNetwork, machineInterfaces } from './networkfile';
import type { SavedMachine, SavedNetwork } from './netstate';

type FileWorkload = DeploymentFile['workloads'][number];

export interface NodeDeployment {
  nodeId: number;
  d: Deployment;
  /** Farm IPs its contract reserves: one per `v4` ip workload. */
  publicIps: number;
}

export interface DeployPlan {
  plans: NetworkPlan[];
  /** Per network, its machines' addresses. */
  machines: Map<string, SavedMachine[]>;
  deployments: NodeDeployment[];
}

/** Per network of the file, the nodes that join it (of its machines and of the gateways naming it), in file order. */
export function networkMembers(f: DeploymentFile, nodes: number[]): Map<string, number[]> {
  const joins = (w: FileWorkload, net: string): boolean => machineInterfaces(w).some((x) => x.network === net) || gatewayNetwork(w) === net;
  return new Map(f.networks.map((n) => [n.name, [...new Set(f.workloads.flatMap((w, i) => (joins(w, n.name) ? [nodes[i]!] : [])))]]));
}

/**
 * Refuses, before the chain is asked, a literal backend of a gateway on a planned network that is
 * no machine address of the network's range (a named machine's address is always one).
 */
export async function checkGatewayBackends(f: DeploymentFile): Promise<void> {
  const { DEFAULT_NETWORK_RANGE, privateBackendProblem } = await chainLib();
  f.workloads.forEach((w, i) => {
    const net = f.networks.find((n) => n.name === gatewayNetwork(w));
    if (!net || !Array.isArray(w.data.backends)) return;
    (w.data.backends as unknown[]).forEach((b, k) => {
      if (backendMachine(b) !== undefined) return;
      const why = privateBackendProblem(b, net.name, net.ipRange ?? DEFAULT_NETWORK_RANGE, w.data.tls_passthrough === true);
      if (why) throw new UsageError(`workloads[${i}] ('${w.name}').backends[${k}]: ${why}`, 'deploy');
    });
  });
}

/**
 * The saved networks the file's gateways join without the file holding them: each must be saved
 * (`load`), already on the gateway's node, and a backend naming a machine must name one of it.
 */
export function networksDeployedBefore(
  f: DeploymentFile,
  nodes: number[],
  load: (name: string) => SavedNetwork | undefined,
): Map<string, SavedNetwork> {
  const out = new Map<string, SavedNetwork>();
  const inFile = new Set([...f.networks.map((n) => n.name), ...f.workloads.filter((w) => w.type === 'network').map((w) => w.name)]);
  f.workloads.forEach((w, i) => {
    const net = gatewayNetwork(w);
    if (net === undefined || inFile.has(net)) return;
    const at = `workloads[${i}] ('${w.name}')`;
    const saved = out.get(net) ?? load(net);
    if (!saved)
      throw new UsageError(
        `${at}.network names no network of the file nor one deployed before: '${net}' (the file's networks: ${[...inFile].join(', ') || 'none'}; \`tfgrid network list\` shows the saved ones)`,
        'deploy',
      );
    const on = saved.contracts.map((k) => k.nodeId);
    if (!on.includes(nodes[i]!))
      throw new UsageError(
        `${at}: network '${net}' is not on node ${nodes[i]} (it is on nodes ${on.join(', ')}): put the gateway on one of them, or deploy it in one file with the network`,
        'deploy',
      );
    (Array.isArray(w.data.backends) ? (w.data.backends as unknown[]) : []).forEach((b, k) => {
      const name = backendMachine(b);
      if (name !== undefined && !saved.machines.some((m) => m.name === name))
        throw new UsageError(
          `${at}.backends[${k}] names '${name}', which is no machine of network '${net}' (its machines: ${saved.machines.map((m) => m.name).join(', ') || 'none'})`,
          'deploy',
        );
    });
    out.set(net, saved);
  });
  return out;
}

/**
 * Plans every network, addresses machines and gateway backends, and builds one deployment per
 * node; `before`: the saved networks gateways join (networksDeployedBefore).
 */
export async function planDeployment(
  f: DeploymentFile,
  nodes: number[],
  endpoints: Map<number, string | undefined>,
  twinId: number,
  before = new Map<string, SavedNetwork>(),
): Promise<DeployPlan> {
  const plans = await planNetworks(f, nodes, endpoints);
  const { workloads, machines } = await address(f, nodes, plans);
  const known = new Map([...[...before].map(([name, n]) => [name, n.machines] as const), ...machines]);
  const deployments = await perNode(f, withBackends(workloads, known), nodes, plans, twinId);
  const { gatewayNetworkProblems } = await chainLib();
  for (const g of deployments) {
    const onNode = [...before.values()]
      .filter((n) => n.contracts.some((k) => k.nodeId === g.nodeId))
      .map((n) => ({ name: n.plan.name, ip_range: n.plan.ipRange }));
    const problems = gatewayNetworkProblems(g.d, onNode);
    if (problems.length)
      throw new UsageError(
        `the deployment for node ${g.nodeId} is not valid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
        'deploy',
      );
  }
  return { plans, machines, deployments };
}

async function planNetworks(f: DeploymentFile, nodes: number[], endpoints: Map<number, string | undefined>): Promise<NetworkPlan[]> {
  const { planNetwork, NetworkPlanError } = await chainLib();
  const members = networkMembers(f, nodes);
  return f.networks.map((n) => {
    const inputs = members.get(n.name)!.map((id) => ({ nodeId: id, endpoint: endpoints.get(id) }));
    try {
      return planNetwork({ name: n.name, ...(n.ipRange ? { ipRange: n.ipRange } : {}), nodes: inputs });
    } catch (e) {
      if (e instanceof NetworkPlanError)
        throw new CliFailure(`cannot plan network '${n.name}': ${e.message}`, { kind: 'plan', network: n.name });
      throw e;
    }
  });
}

/** The machines' addresses: the file's `ip` (checked against the node's subnet) or the next free one. */
async function address(
  f: DeploymentFile,
  nodes: number[],
  plans: NetworkPlan[],
): Promise<{ workloads: FileWorkload[]; machines: Map<string, SavedMachine[]> }> {
  const { machineAddress, machineIpInSubnet } = await chainLib();
  const used = new Map<string, string[]>();
  const machines = new Map<string, SavedMachine[]>(plans.map((p) => [p.name, []]));
  // Given addresses first, so a picked one never takes them.
  for (const [i, w] of f.workloads.entries())
    for (const itf of machineInterfaces(w)) {
      const p = plans.find((x) => x.name === itf.network);
      if (!p || itf.ip === undefined) continue;
      const subnet = p.nodes.find((n) => n.nodeId === nodes[i])!.subnet;
      if (!machineIpInSubnet(itf.ip, subnet))
        throw new UsageError(
          `workloads[${i}] ('${w.name}'): ${itf.ip} is not a machine address of network '${p.name}' on node ${nodes[i]} (its subnet is ${subnet}: .2 to .254)`,
        );
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

/** A gateway's backends naming a machine (`http://web:8080`) get its address on the gateway's network. */
function withBackends(workloads: FileWorkload[], machines: Map<string, SavedMachine[]>): FileWorkload[] {
  return workloads.map((w) => {
    const on = machines.get(gatewayNetwork(w) ?? '');
    if (!on || !Array.isArray(w.data.backends)) return w;
    const backends = (w.data.backends as unknown[]).map((b) => {
      const name = backendMachine(b);
      const m = name === undefined ? undefined : on.find((x) => x.name === name);
      return m ? backendAt(b as string, m.ip) : b;
    });
    return { ...w, data: { ...w.data, backends } };
  });
}

/** One deployment per node: its workloads, and a `network` workload per network it is part of. */
async function perNode(
  f: DeploymentFile,
  workloads: FileWorkload[],
  nodes: number[],
  plans: NetworkPlan[],
  twinId: number,
): Promise<NodeDeployment[]> {
  const { networkData } = await chainLib();
  const out: NodeDeployment[] = [];
  for (const nodeId of [...new Set(nodes)]) {
    const mine = workloads.filter((_, i) => nodes[i] === nodeId).map(({ node: _n, ...w }) => w);
    const nets = plans
      .filter((p) => p.nodes.some((n) => n.nodeId === nodeId))
      .map((p) => ({
        type: 'network' as const,
        name: p.name,
        description: '',
        metadata: '',
        version: 0,
        data: networkData(p, nodeId) as unknown as Record<string, unknown>,
      }));
    const d = await buildDeployment({ ...f, workloads: [...nets, ...mine] }, twinId, nodeId, 0);
    out.push({ nodeId, d, publicIps: mine.filter((w) => w.type === 'ip' && w.data.v4 === true).length });
  }
  return out;
}
