/** /nodes/:id/rewards and /farms/:id/rewards: farming rewards per minting period, every input shown. */
import { Type, type Static } from '@sinclair/typebox';
import { TFT } from '@tfgrid/client';
import type { FastifyInstance } from 'fastify';
import { nodeReward } from '../../rewards/load';
import { MAX_PERIOD, periodAt, periodIdOf } from '../../rewards/period';
import { periodView, type NodeReward } from '../../rewards/compute';
import { ErrorBody, NoQuery, U32, idParams } from '../shared/schemas';
import { nowOf, type ApiContext } from '../shared/context';

const Int = Type.Integer();
const Num = Type.Number();
const Report = Type.Object({ timestamp: Int, uptime: Int, block: Type.Optional(Int) });
const MaybeReport = Type.Union([Report, Type.Null()]);
const Resources = Type.Object({ cru: Int, mru: Int, sru: Int, hru: Int });
const Violation = Type.Object({
  kind: Type.String(),
  message: Type.String(),
  previous: Type.Optional(Report),
  reported: Type.Optional(Report),
  failed_boots: Type.Optional(Int),
});

const NodeRewardView = Type.Object({
  node_id: Int,
  farm_id: Int,
  twin_id: Int,
  period: Type.Object({ id: Int, start: Int, end: Int, seconds: Int, post_period_end: Int, complete: Type.Boolean(), indexed_until: Int }),
  node: Type.Object({
    resources: Resources,
    certification: Type.String(),
    virtualized: Type.Boolean(),
    farming_policy_id: Int,
    state_at: Type.Union([Int, Type.Null()]),
  }),
  units: Type.Object({
    cu: Num,
    su: Num,
    nu: Num,
    public_ip_hours: Num,
    cu_permill: Type.String(),
    su_permill: Type.String(),
    nu_permill: Type.String(),
  }),
  usage: Type.Object({ nru_bytes: Int, nru_reports: Int, public_ip_seconds: Int }),
  policy: Type.Union([
    Type.Object({
      id: Int,
      name: Type.String(),
      cu: Int,
      su: Int,
      nu: Int,
      ipv4: Int,
      minimalUptime: Int,
      default: Type.Boolean(),
      immutable: Type.Boolean(),
      rule: Type.String(),
    }),
    Type.Null(),
  ]),
  uptime: Type.Object({
    measured_seconds: Int,
    period_seconds: Int,
    ratio: Num,
    required_ratio: Type.Union([Num, Type.Null()]),
    sla_met: Type.Boolean(),
    reports: Int,
    reboots: Int,
    first_report: MaybeReport,
    last_report: MaybeReport,
    post_period_report: MaybeReport,
    power_managed: Type.Object({ shutdowns: Int, wakeups: Int, failed_boots: Int }),
  }),
  violation_count: Int,
  violations: Type.Array(Violation),
  price: Type.Object({ tft_musd: Int, source: Type.String() }),
  reward: Type.Object({
    base_musd: Int,
    certified_bonus: Type.Boolean(),
    uptime_scale: Num,
    musd: Int,
    usd: Num,
    tft_units: Type.String(),
    tft: Num,
  }),
  reason: Type.Union([Type.String(), Type.Null()]),
});

const Total = Type.Object({ musd: Int, usd: Num, tft_units: Type.String(), tft: Num, nodes: Int, nodes_rewarded: Int });
const FarmRewardView = Type.Object({
  farm_id: Int,
  farm_name: Type.String(),
  period: NodeRewardView.properties.period,
  total: Total,
  nodes: Type.Array(NodeRewardView),
});
export type NodeRewardView = Static<typeof NodeRewardView>;
export type FarmRewardView = Static<typeof FarmRewardView>;

const RewardsQuery = Type.Object(
  {
    period: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_PERIOD, description: 'Minting period id (default: the last period that has ended)' }),
    ),
  },
  { additionalProperties: false },
);
type RewardsQuery = Static<typeof RewardsQuery>;

/** The period holding now (a dev chain's clock may run far ahead: kept within the periods taken). */
const currentPeriod = (ctx: ApiContext): number => Math.min(MAX_PERIOD, periodIdOf(nowOf(ctx)));
/** The asked period, else the last one that ended by now. */
const periodOf = (ctx: ApiContext, q: RewardsQuery) => periodAt(q.period ?? Math.max(0, currentPeriod(ctx) - 1));

function total(rewards: NodeReward[]): Static<typeof Total> {
  const musd = rewards.reduce((s, r) => s + r.reward.musd, 0);
  const units = rewards.reduce((s, r) => s + BigInt(r.reward.tft_units), 0n);
  return {
    musd,
    usd: musd / 1000,
    tft_units: String(units),
    tft: Number(units) / Number(TFT),
    nodes: rewards.length,
    nodes_rewarded: rewards.filter((r) => r.reward.musd > 0).length,
  };
}

const PeriodBounds = Type.Object({ id: Int, start: Int, end: Int });
const PeriodsView = Type.Object({ now: Int, current: PeriodBounds, last_ended: PeriodBounds, recent: Type.Array(PeriodBounds) });
/** How many periods /rewards/periods lists, newest first. */
const RECENT_PERIODS = 12;

export function rewardRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get(
    '/rewards/periods',
    {
      schema: {
        tags: ['rewards'],
        summary: 'Minting periods: the current one, the last that ended, the 12 newest',
        querystring: NoQuery,
        response: { 200: PeriodsView },
      },
    },
    async () => {
      const now = nowOf(ctx);
      const current = currentPeriod(ctx);
      const recent = [];
      for (let id = current; id >= 0 && id > current - RECENT_PERIODS; id--) recent.push(periodAt(id));
      return { now, current: periodAt(current), last_ended: periodAt(Math.max(0, current - 1)), recent };
    },
  );

  app.get<{ Params: { id: number }; Querystring: RewardsQuery }>(
    '/nodes/:id/rewards',
    {
      schema: {
        tags: ['rewards'],
        summary: "A node's farming reward for a minting period, with every input of the computation",
        params: idParams(U32('The node id')),
        querystring: RewardsQuery,
        response: { 200: NodeRewardView, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const n = ctx.view.nodes.get(req.params.id);
      if (!n) return reply.code(404).send({ error: `node ${req.params.id} not found` });
      return nodeReward(ctx, n, periodOf(ctx, req.query));
    },
  );

  app.get<{ Params: { id: number }; Querystring: RewardsQuery }>(
    '/farms/:id/rewards',
    {
      schema: {
        tags: ['rewards'],
        summary: "A farm's farming reward for a minting period: the sum over its nodes, and each node's",
        params: idParams(U32('The farm id')),
        querystring: RewardsQuery,
        response: { 200: FarmRewardView, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const f = ctx.view.farms.get(req.params.id);
      if (!f) return reply.code(404).send({ error: `farm ${req.params.id} not found` });
      const p = periodOf(ctx, req.query);
      const nodes = [...ctx.view.nodes.values()].filter((n) => n.farmId === f.farmId).sort((a, b) => a.nodeId - b.nodeId);
      const rewards: NodeReward[] = [];
      for (const n of nodes) rewards.push(await nodeReward(ctx, n, p));
      return {
        farm_id: f.farmId,
        farm_name: f.name,
        period: periodView(p, ctx.view.chainTime),
        total: total(rewards),
        nodes: rewards,
      };
    },
  );
}
