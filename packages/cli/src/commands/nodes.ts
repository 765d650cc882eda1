/** nodes find: a deployer looks for capacity through the explorer (grid-proxy-compatible /nodes). */
import type { Resources } from '@tfgrid/client';
import type { ExplorerNode } from '@tfgrid/explorer';
import { flag, str, type Command } from '../core/command';
import { CliFailure, UsageError } from '../core/errors';
import { table } from '../core/io';
import { formatSize, parseIntArg, parseSize } from '../core/units';

type Capacity = Resources;

/**
 * The part of a node this command reads, from our explorer (its answer type) or from grid-proxy:
 * grid-proxy sends no `free_resources` (its `used_resources` already hold what the node reserves
 * for itself) and no `num_contracts`, so free is then total − used, never below zero.
 */
export type ListedNode = Pick<
  ExplorerNode,
  'nodeId' | 'farmId' | 'farmName' | 'twinId' | 'country' | 'city' | 'status' | 'total_resources' | 'used_resources' | 'farm_free_ips'
> & {
  publicConfig: Pick<ExplorerNode['publicConfig'], 'domain' | 'ipv4'>;
} & Partial<Pick<ExplorerNode, 'free_resources' | 'num_contracts'>>;

/** Free capacity: the explorer's own figure, or total − used (grid-proxy). */
export function freeOf(n: ListedNode): Capacity {
  if (n.free_resources) return n.free_resources;
  const t = n.total_resources;
  const u = n.used_resources;
  const f = (k: keyof Capacity) => Math.max(0, (t[k] ?? 0) - (u[k] ?? 0));
  return { cru: f('cru'), mru: f('mru'), sru: f('sru'), hru: f('hru') };
}

const STATUS = ['up', 'down', 'standby', 'any'];

export const nodesCommands: Command[] = [
  {
    name: 'nodes find',
    summary: 'find nodes with free capacity (explorer API)',
    options: {
      status: { type: 'string', value: 'STATUS', help: 'up (default), down, standby or any' },
      'free-mru': { type: 'string', value: 'SIZE', help: 'at least this much free memory (e.g. 2GiB; a bare number is GiB)' },
      'free-sru': { type: 'string', value: 'SIZE', help: 'at least this much free SSD' },
      'free-hru': { type: 'string', value: 'SIZE', help: 'at least this much free HDD' },
      cru: { type: 'string', value: 'N', help: 'at least this many CPU cores' },
      country: { type: 'string', value: 'NAME', help: 'in this country' },
      city: { type: 'string', value: 'NAME', help: 'in this city' },
      farm: { type: 'string', value: 'FARM_ID', help: 'in this farm (comma-separated ids)' },
      'farm-name': { type: 'string', value: 'NAME', help: 'in the farm of this name' },
      'free-ips': { type: 'string', value: 'N', help: 'its farm has at least N free public IPs' },
      ipv4: { type: 'boolean', help: 'has a public IPv4 config' },
      domain: { type: 'boolean', help: 'has a public domain (gateway nodes)' },
      limit: { type: 'string', value: 'N', help: 'at most N nodes (default 50)' },
    },
    details: 'Example: tfgrid nodes find --free-mru 4GiB --free-hru 100GiB --cru 2 --country Belgium',
    async run(ctx, a) {
      const status = str(a, 'status') ?? 'up';
      if (!STATUS.includes(status)) throw new UsageError(`--status must be one of ${STATUS.join(', ')}, got '${status}'`, 'nodes find');
      const size = (k: string) => (str(a, k) === undefined ? undefined : parseSize(str(a, k), `--${k}`, 'gib'));
      const int = (k: string, min = 0) => (str(a, k) === undefined ? undefined : parseIntArg(str(a, k), `--${k}`, min));
      const farm = str(a, 'farm');
      if (farm !== undefined && !/^\d+(,\d+)*$/.test(farm))
        throw new UsageError(`--farm must be farm ids like 1 or 1,2, got '${farm}'`, 'nodes find');
      const query = {
        status: status === 'any' ? undefined : status,
        free_mru: size('free-mru'),
        free_sru: size('free-sru'),
        free_hru: size('free-hru'),
        total_cru: int('cru'),
        country: str(a, 'country'),
        city: str(a, 'city'),
        farm_ids: farm,
        farm_name: str(a, 'farm-name'),
        free_ips: int('free-ips'),
        ipv4: flag(a, 'ipv4') ? true : undefined,
        domain: flag(a, 'domain') ? true : undefined,
        size: int('limit', 1) ?? 50,
        sort_by: 'node_id',
      };
      ctx.progress(`asking ${ctx.explorerUrl}/nodes …`);
      const { body } = await ctx.explorer<ListedNode[]>('/nodes', query);
      if (!Array.isArray(body))
        throw new CliFailure('the explorer answered /nodes with something that is not a list of nodes', { kind: 'explorer' });
      const rows = body.map((n) => {
        const free = freeOf(n);
        return [
          n.nodeId,
          n.farmId,
          n.status,
          `${free.cru}/${n.total_resources.cru}`,
          formatSize(free.mru),
          formatSize(free.sru),
          formatSize(free.hru),
          n.country || '-',
          n.num_contracts ?? '-',
        ];
      });
      return {
        json: body,
        text: body.length
          ? table(['NODE', 'FARM', 'STATUS', 'FREE CRU', 'FREE MRU', 'FREE SRU', 'FREE HRU', 'COUNTRY', 'CONTRACTS'], rows)
          : ['no node matches'],
      };
    },
  },
];
