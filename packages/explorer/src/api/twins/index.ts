/** /twins, /twins/:id. */
import { Type, type Static } from '@sinclair/typebox';
import { TFT } from '@tfgrid/client';
import type { FastifyInstance } from 'fastify';
import { key } from '../../db/keys';
import type { BillRecord, TwinRecord } from '../../model/records';
import { ErrorBody, NoQuery, Pagination, Text, U32, idParams, page, sortEnum } from '../shared/schemas';
import type { ApiContext } from '../shared/context';

const TwinView = Type.Object({ twinId: Type.Integer(), accountId: Type.String(), relay: Type.String(), publicKey: Type.String() });
const TwinsQuery = Type.Object(
  {
    ...Pagination,
    sort_by: Type.Optional(sortEnum(['twin_id', 'account_id', 'relay', 'public_key'])),
    twin_id: Type.Optional(U32()),
    account_id: Type.Optional(Text()),
    relay: Type.Optional(Text()),
    public_key: Type.Optional(Text()),
  },
  { additionalProperties: false },
);
type TwinsQuery = Static<typeof TwinsQuery>;
type TwinView = Static<typeof TwinView>;

const twinView = (t: TwinRecord): TwinView => ({
  twinId: t.twinId,
  accountId: t.accountId,
  relay: t.relay ?? '',
  publicKey: t.publicKey ?? '',
});

export function twinRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: TwinsQuery }>(
    '/twins',
    { schema: { tags: ['twins'], summary: 'List twins', querystring: TwinsQuery, response: { 200: Type.Array(TwinView) } } },
    async (req, reply) => {
      const q = req.query;
      const list = [...ctx.view.twins.values()]
        .map(twinView)
        .filter(
          (t) =>
            (q.twin_id === undefined || t.twinId === q.twin_id) &&
            (q.account_id === undefined || t.accountId === q.account_id) &&
            (q.relay === undefined || t.relay === q.relay) &&
            (q.public_key === undefined || t.publicKey === q.public_key),
        );
      const by = q.sort_by;
      return page(
        list,
        q,
        reply,
        by === 'relay'
          ? (t) => t.relay
          : by === 'account_id'
            ? (t) => t.accountId
            : by === 'public_key'
              ? (t) => t.publicKey
              : (t) => t.twinId,
        (t) => t.twinId,
      );
    },
  );

  app.get<{ Params: { id: number } }>(
    '/twins/:id',
    {
      schema: {
        tags: ['twins'],
        summary: 'One twin',
        params: idParams(U32('The twin id')),
        querystring: NoQuery,
        response: { 200: TwinView, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const t = ctx.view.twins.get(req.params.id);
      return t ? twinView(t) : reply.code(404).send({ error: `twin ${req.params.id} not found` });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/twins/:id/consumption',
    {
      schema: {
        tags: ['twins'],
        summary: 'TFT spent: over the last hour (its active contracts) and overall (every bill)',
        params: idParams(U32('The twin id')),
        querystring: NoQuery,
        response: { 200: TwinConsumption },
      },
    },
    async (req) => twinConsumption(ctx, req.params.id),
  );
}

const TwinConsumption = Type.Object({ last_hour_consumption: Type.Number(), overall_consumption: Type.Number() });
/** Chain units in one TFT, as a number (bills are numbers here). */
const TFT_UNITS = Number(TFT);

/**
 * grid-proxy's report from the bills: overall = all its contracts' bills; last hour = for each
 * active contract, its latest bill spread over the time since the bill before it (or since the
 * contract was created), per hour. In TFT. A twin without contracts spent 0.
 */
export async function twinConsumption(
  ctx: ApiContext,
  twinId: number,
): Promise<{ last_hour_consumption: number; overall_consumption: number }> {
  let overall = 0;
  let lastHour = 0;
  for (const id of ctx.view.contractsByTwin.get(twinId) ?? []) {
    const c = ctx.view.contracts.get(id);
    if (!c) continue;
    overall += c.billed;
    if (c.state === 'Deleted') continue;
    const latest = (await ctx.db
      .sub('bill')
      .values({ gte: key(id) + '/', lt: key(id) + '/\xff', reverse: true, limit: 2 })
      .all()) as BillRecord[];
    if (latest.length === 0) continue;
    const hours = (latest[0]!.timestamp - (latest[1]?.timestamp ?? c.createdAt)) / 3600;
    // grid-proxy divides by the hours between them; a bill at the same second as the previous one counts as one hour.
    lastHour += latest[0]!.amountBilled / (hours > 0 ? hours : 1) / TFT_UNITS;
  }
  return { last_hour_consumption: lastHour, overall_consumption: overall / TFT_UNITS };
}
