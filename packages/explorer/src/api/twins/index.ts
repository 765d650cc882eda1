/** /twins. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { Pagination, page, sortEnum } from '../common';
import type { ApiContext } from '../context';

const TwinView = Type.Object({ twinId: Type.Integer(), accountId: Type.String(), relay: Type.String(), publicKey: Type.String() });
const TwinsQuery = Type.Object(
  {
    ...Pagination,
    sort_by: Type.Optional(sortEnum(['twin_id', 'relay'])),
    twin_id: Type.Optional(Type.Integer({ minimum: 0 })),
    account_id: Type.Optional(Type.String()),
    relay: Type.Optional(Type.String()),
    public_key: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
type TwinsQuery = Static<typeof TwinsQuery>;

export function twinRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: TwinsQuery }>(
    '/twins',
    { schema: { tags: ['twins'], summary: 'List twins', querystring: TwinsQuery, response: { 200: Type.Array(TwinView) } } },
    async (req, reply) => {
      const q = req.query;
      const list = [...ctx.view.twins.values()]
        .map((t) => ({ twinId: t.twinId, accountId: t.accountId, relay: t.relay ?? '', publicKey: t.publicKey ?? '' }))
        .filter(
          (t) =>
            (q.twin_id === undefined || t.twinId === q.twin_id) &&
            (q.account_id === undefined || t.accountId === q.account_id) &&
            (q.relay === undefined || t.relay === q.relay) &&
            (q.public_key === undefined || t.publicKey === q.public_key),
        );
      return page(list, q, reply, q.sort_by === 'relay' ? (t) => t.relay : (t) => t.twinId, (t) => t.twinId);
    },
  );
}
