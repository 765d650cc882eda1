/** node list|show|power: a farmer's 3Nodes as the chain knows them. */
import type { Node, NodePower, TfchainClient } from '@tfgrid/client';
import { str, type Command } from '../core/command';
import { CliFailure, UsageError } from '../core/errors';
import { fields, table } from '../core/io';
import { formatSize, parseIntArg } from '../core/units';

type NodeWithPower = Node & { power: NodePower };

async function nodeById(c: TfchainClient, id: number): Promise<NodeWithPower> {
  const n = await c.nodes.get(id);
  if (!n) throw new CliFailure(`there is no node ${id}`, { kind: 'not-found', nodeId: id });
  return { ...n, power: await c.nodes.power(id) };
}

const capacity = (n: Node): string =>
  `${n.resources.cru} CPU, ${formatSize(n.resources.mru)} RAM, ${formatSize(n.resources.sru)} SSD, ${formatSize(n.resources.hru)} HDD`;

export const nodeCommands: Command[] = [
  {
    name: 'node list',
    summary: "the nodes of a farm (default: the signer's farms)",
    options: { farm: { type: 'string', value: 'FARM_ID', help: 'the farm' } },
    async run(ctx, a) {
      const c = await ctx.client();
      let farmIds: number[];
      const farm = str(a, 'farm');
      if (farm !== undefined) farmIds = [parseIntArg(farm, '--farm')];
      else {
        const pair = await ctx.pair();
        const twin = await c.twins.idOf(pair.address);
        if (twin === undefined) throw new UsageError(`${pair.address} has no twin: give --farm FARM_ID`);
        farmIds = (await c.farms.ofTwin(twin)).map((f) => f.id);
      }
      const ids = (await Promise.all(farmIds.map((f) => c.farms.nodeIds(f)))).flat().sort((x, y) => x - y);
      const nodes = await Promise.all(ids.map((id) => nodeById(c, id)));
      const rows = nodes.map((n) => [
        n.id,
        n.farmId,
        n.twinId,
        n.power.state,
        n.resources.cru,
        formatSize(n.resources.mru),
        formatSize(n.resources.sru),
        formatSize(n.resources.hru),
        n.location.country,
      ]);
      return {
        json: nodes,
        text: nodes.length ? table(['NODE', 'FARM', 'TWIN', 'POWER', 'CRU', 'MRU', 'SRU', 'HRU', 'COUNTRY'], rows) : ['no nodes'],
      };
    },
  },
  {
    name: 'node show',
    summary: 'one node: capacity, location, interfaces, power, contracts',
    args: 'NODE_ID',
    minArgs: 1,
    async run(ctx, a) {
      const id = parseIntArg(a.positionals[0], 'node id');
      const c = await ctx.client();
      const n = await nodeById(c, id);
      const [contracts, farm] = await Promise.all([c.contracts.activeForNode(id), c.farms.get(n.farmId)]);
      // The farm's name says who may power the node (its farmer) without another lookup.
      const out = { ...n, farmName: farm?.name ?? null, activeContracts: contracts };
      return {
        json: out,
        text: fields({
          node: n.id,
          farm: `${n.farmId}${farm ? ` "${farm.name}"` : ''}`,
          twin: n.twinId,
          capacity: capacity(n),
          location: `${n.location.city}, ${n.location.country} (${n.location.latitude}, ${n.location.longitude})`,
          interfaces: n.interfaces.map((i) => `${i.name} ${i.mac} ${i.ips.join(' ')}`).join('; '),
          'public config': n.publicConfig
            ? `${n.publicConfig.ip4.ip} gw ${n.publicConfig.ip4.gw}${n.publicConfig.domain ? ` domain ${n.publicConfig.domain}` : ''}`
            : 'none',
          power: `${n.power.state}${n.power.downSince !== undefined ? ` since block ${n.power.downSince}` : ''}, target ${n.power.target}`,
          created: new Date(n.created * 1000).toISOString(),
          certification: n.certification,
          'farming policy': n.farmingPolicyId,
          virtualized: n.virtualized,
          'active contracts': contracts.length ? contracts.join(', ') : 'none',
        }),
      };
    },
  },
  {
    name: 'node power',
    summary: "set a node's power target (the farmer wakes or sleeps it)",
    args: 'NODE_ID up|down',
    minArgs: 2,
    async run(ctx, a) {
      const id = parseIntArg(a.positionals[0], 'node id');
      const want = a.positionals[1]!.toLowerCase();
      if (want !== 'up' && want !== 'down')
        throw new UsageError(`the power target must be up or down, got '${a.positionals[1]}'`, 'node power');
      const target = want === 'up' ? 'Up' : 'Down';
      const c = await ctx.client(true);
      await ctx.tx(`setting node ${id}'s power target to ${target}`, () => c.nodes.changePowerTarget(id, target));
      const p = await c.nodes.power(id);
      return { json: { nodeId: id, ...p }, text: [`node ${id}: power target ${p.target} (state ${p.state})`] };
    },
  },
];
