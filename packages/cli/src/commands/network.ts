/**
 * network access|list|show: the private networks `tfgrid deploy` planned and saved. `access` adds a
 * user's machine to a network through its access node (the first node with a public endpoint):
 * every node whose `network` workload changes is updated and its answer awaited, then the wg-quick
 * file is written (0600) or printed. `list` and `show` never print keys.
 */
import path from 'node:path';
import type { TfchainClient } from '@tfgrid/client';
import { writeFileAtomic } from '@tfgrid/client/light';
import { str, type Command } from '../core/command';
import { chainLib, type Context } from '../core/context';
import { CliFailure, UsageError } from '../core/errors';
import { fields, table } from '../core/io';
import { listNetworks, loadNetwork, networkGateways, publicView, saveNetwork, shareDeployment, type SavedNetwork } from '../core/netstate';
import { parseIntArg } from '../core/units';
import { twinOf, WAIT_OPTIONS } from './deploy';
import { waitForAll, type NodeContract } from './network-wait';

const USER = /^[a-zA-Z0-9_-]{1,64}$/;

/** A network's name as the deploy file allows it (it names the saved file too). */
function networkName(a: Parameters<Command['run']>[1], command: string): string {
  const name = a.positionals[0]!;
  if (!USER.test(name)) throw new UsageError(`the network name must be 1 to 64 letters, digits, - or _, got '${name}'`, command);
  return name;
}

function savedOrFail(ctx: Context, twinId: number, name: string): SavedNetwork {
  const n = loadNetwork(ctx.io, twinId, name);
  if (!n)
    throw new CliFailure(`twin ${twinId} has no saved network '${name}' (\`tfgrid network list\` shows the saved ones)`, {
      kind: 'not-found',
      network: name,
    });
  return n;
}

/** Adds `user` to the plan (kept as it was when already there); saved before anything is sent. */
async function withUser(ctx: Context, n: SavedNetwork, user: string): Promise<SavedNetwork> {
  if (n.plan.users.some((u) => u.name === user)) return n;
  const { planNetwork, NetworkPlanError } = await chainLib();
  try {
    const plan = planNetwork({
      name: n.plan.name,
      nodes: n.plan.nodes.map((x) => ({ nodeId: x.nodeId, ...(x.endpoint ? { endpoint: x.endpoint } : {}) })),
      users: [...n.plan.users.map((u) => u.name), user],
      previous: n.plan,
    });
    const next = { ...n, plan };
    saveNetwork(ctx.io, next);
    return next;
  } catch (e) {
    if (e instanceof NetworkPlanError)
      throw new CliFailure(`cannot give '${user}' access to network '${n.plan.name}': ${e.message}`, {
        kind: 'plan',
        network: n.plan.name,
      });
    throw e;
  }
}

/** Updates every node whose `network` workload differs from the plan's; waits for their answers. */
async function updateNodes(ctx: Context, c: TfchainClient, n: SavedNetwork, a: Parameters<Command['run']>[1]): Promise<number[]> {
  const { networkData } = await chainLib();
  const sent: NodeContract[] = [];
  for (const k of n.contracts) {
    const want = networkData(n.plan, k.nodeId) as unknown as Record<string, unknown>;
    const w = k.deployment.workloads.find((x) => x.type === 'network' && x.name === n.plan.name);
    if (!w)
      throw new CliFailure(`contract ${k.contractId} on node ${k.nodeId} carries no network '${n.plan.name}'`, {
        kind: 'state',
        contractId: k.contractId,
      });
    if (JSON.stringify(w.data) === JSON.stringify(want)) continue;
    const d = { ...k.deployment, workloads: k.deployment.workloads.map((x) => (x === w ? { ...x, data: want } : x)) };
    const r = await ctx.tx(`updating network '${n.plan.name}' on node ${k.nodeId} (contract ${k.contractId})`, () =>
      c.deployments.update(k.contractId, d),
    );
    sent.push({ nodeId: k.nodeId, contractId: k.contractId, hash: r.hash, deployment: r.deployment });
  }
  if (!sent.length) return [];
  await waitForAll(ctx, c, sent, a);
  for (const s of sent) {
    const k = n.contracts.find((x) => x.contractId === s.contractId)!;
    k.deployment = s.deployment;
    shareDeployment(ctx.io, n.twinId, n.plan.name, k);
  }
  saveNetwork(ctx.io, n);
  return sent.map((s) => s.nodeId);
}

function writeSecret(file: string, text: string): void {
  writeFileAtomic(file, text, { mode: 0o600 });
}

export const networkCommands: Command[] = [
  {
    name: 'network access',
    summary: 'a WireGuard config with which your own machine joins a private network (through its access node)',
    args: 'NAME',
    minArgs: 1,
    options: {
      user: { type: 'string', value: 'NAME', help: 'the name of your machine in the network (default: user)' },
      output: { type: 'string', value: 'FILE', help: 'write the wg-quick file here (mode 0600) instead of stdout' },
      ...WAIT_OPTIONS,
    },
    details: `Example: tfgrid network access net --output net.conf && wg-quick up ./net.conf

The user's machine gets a /24 of the network and peers with the access node (the network's first
node with a public endpoint); the nodes whose network workload changes are updated and their
answers awaited before the file is written.`,
    async run(ctx, a) {
      const name = networkName(a, 'network access');
      const user = str(a, 'user') ?? 'user';
      if (!USER.test(user)) throw new UsageError(`--user must be 1 to 64 letters, digits, - or _, got '${user}'`, 'network access');
      const output = str(a, 'output');
      const c = await ctx.client(true);
      const twinId = await twinOf(ctx, c);
      const n = await withUser(ctx, savedOrFail(ctx, twinId, name), user);
      const updated = await updateNodes(ctx, c, n, a);
      const { accessConfig, accessNode } = await chainLib();
      const config = accessConfig(n.plan, user);
      const access = accessNode(n.plan)!;
      const me = n.plan.users.find((u) => u.name === user)!;
      const out = {
        network: name,
        user,
        address: me.wireguardIp,
        subnet: me.subnet,
        accessNode: access.nodeId,
        endpoint: `${access.endpoint}:${access.listenPort}`,
        updatedNodes: updated,
        ...(output ? { output: path.resolve(ctx.io.cwd, output) } : {}),
      };
      if (output) {
        writeSecret(path.resolve(ctx.io.cwd, output), config);
        return {
          json: out,
          text: [`wrote ${output}: ${user} joins '${name}' as ${me.wireguardIp} through node ${access.nodeId} (wg-quick up ${output})`],
        };
      }
      return { json: { ...out, config }, text: config.trimEnd().split('\n') };
    },
  },
  {
    name: 'network list',
    summary: 'the private networks saved by `tfgrid deploy` (no keys)',
    async run(ctx) {
      const all = listNetworks(ctx.io);
      const rows = all.map((n) => [
        n.plan.name,
        n.twinId,
        n.plan.ipRange,
        n.plan.nodes.map((x) => x.nodeId).join(','),
        n.contracts.map((k) => k.contractId).join(','),
        n.plan.users.map((u) => u.name).join(',') || '-',
      ]);
      return {
        json: all.map(publicView),
        text: all.length ? table(['NAME', 'TWIN', 'RANGE', 'NODES', 'CONTRACTS', 'USERS'], rows) : ['no saved networks'],
      };
    },
  },
  {
    name: 'network show',
    summary: 'one saved network: range, nodes (subnet, endpoint, port, contract), users, machines, gateways (no keys)',
    args: 'NAME',
    minArgs: 1,
    options: { twin: { type: 'string', value: 'TWIN_ID', help: 'the twin whose network it is, when several have one of that name' } },
    async run(ctx, a) {
      const name = networkName(a, 'network show');
      const twin = str(a, 'twin') === undefined ? undefined : parseIntArg(str(a, 'twin'), '--twin');
      const found = listNetworks(ctx.io).filter((n) => n.plan.name === name && (twin === undefined || n.twinId === twin));
      if (!found.length)
        throw new CliFailure(`no saved network '${name}'${twin === undefined ? '' : ` of twin ${twin}`}`, {
          kind: 'not-found',
          network: name,
        });
      if (found.length > 1)
        throw new UsageError(`twins ${found.map((n) => n.twinId).join(', ')} each have a network '${name}': give --twin`, 'network show');
      const v = publicView(found[0]!);
      const n = found[0]!;
      return {
        json: v,
        text: [
          ...fields({ network: name, twin: n.twinId, range: n.plan.ipRange }),
          ...n.plan.nodes.map(
            (x) =>
              `  node ${x.nodeId}  ${x.subnet}  ${x.endpoint ? `${x.endpoint}:${x.listenPort}` : 'behind NAT'}  contract ${n.contracts.find((k) => k.nodeId === x.nodeId)?.contractId ?? '-'}`,
          ),
          ...n.plan.users.map((u) => `  user ${u.name}  ${u.subnet}  ${u.wireguardIp}`),
          ...n.machines.map((m) => `  machine ${m.name}  node ${m.nodeId}  ${m.ip}`),
          ...networkGateways(n).map((g) => `  gateway ${g.name}  node ${g.nodeId}  ${g.fqdn ?? g.gatewayName} → ${g.backends.join(', ')}`),
        ],
      };
    },
  },
];
