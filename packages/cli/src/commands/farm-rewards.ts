/** farm rewards: a farm's farming reward for a minting period, node by node (explorer /farms/:id/rewards). */
import type { ExplorerFarmReward } from '@tfgrid/explorer';
import { str, type Command } from '../core/command';
import { CliFailure } from '../core/errors';
import { fields, table } from '../core/io';
import { parseIntArg } from '../core/units';

const date = (t: number): string => new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 16);
const pct = (r: number | null): string => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);
const usd = (musd: number): string => (musd / 1000).toFixed(3);

export function farmRewardLines(r: ExplorerFarmReward): string[] {
  const rows = r.nodes.map((n) => [
    n.node_id,
    n.node.certification,
    n.node.farming_policy_id,
    n.units.cu,
    n.units.su,
    n.units.nu,
    n.units.public_ip_hours,
    pct(n.uptime.ratio),
    pct(n.uptime.required_ratio),
    n.violation_count,
    usd(n.price.tft_musd),
    usd(n.reward.musd),
    n.reward.tft,
    n.reason ?? '',
  ]);
  return [
    ...fields({
      farm: `${r.farm_id} '${r.farm_name}'`,
      period: `${r.period.id} (${date(r.period.start)} → ${date(r.period.end)} UTC)${r.period.complete ? '' : ' — not over: figures so far'}`,
      reward: `${r.total.usd.toFixed(3)} USD = ${r.total.tft} TFT (${r.total.nodes_rewarded} of ${r.total.nodes} nodes rewarded)`,
    }),
    ...(rows.length
      ? [
          '',
          ...table(
            ['NODE', 'CERT', 'POLICY', 'CU', 'SU', 'NU', 'IP H', 'UPTIME', 'SLA', 'VIOLATIONS', 'TFT PRICE', 'USD', 'TFT', 'WHY NONE'],
            rows,
          ),
        ]
      : ['no nodes in this farm']),
  ];
}

export const farmRewardsCommands: Command[] = [
  {
    name: 'farm rewards',
    summary: "a farm's farming reward for a minting period (explorer API)",
    args: 'FARM_ID',
    minArgs: 1,
    maxArgs: 1,
    options: { period: { type: 'string', value: 'N', help: 'minting period id (default: the last period that has ended)' } },
    details:
      "Computed by the explorer as ThreeFold's capacity minting does: CU/SU/NU/IP at the farming policy's rates, the uptime SLA " +
      "(95 % DIY, 98 % certified), violations, and the TFT price at each node's connection. --json prints every input.\n" +
      'Example: tfgrid farm rewards 1 --period 104',
    async run(ctx, a) {
      const farmId = parseIntArg(a.positionals[0], 'farm id');
      const p = str(a, 'period');
      const period = p === undefined ? undefined : parseIntArg(p, '--period', 0);
      ctx.progress(`asking ${ctx.explorerUrl}/farms/${farmId}/rewards …`);
      let body: ExplorerFarmReward;
      try {
        ({ body } = await ctx.explorer<ExplorerFarmReward>(`/farms/${farmId}/rewards`, { period }));
      } catch (e) {
        if (e instanceof CliFailure && e.detail.status === 404)
          throw new CliFailure(`there is no farm ${farmId}`, { kind: 'not-found', farmId });
        throw e;
      }
      return { json: body, text: farmRewardLines(body) };
    },
  },
];
