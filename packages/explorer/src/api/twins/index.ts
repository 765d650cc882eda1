/** /twins, /twins/:id. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TwinRecord } from '../../indexer/records';
import { ErrorBody, NoQuery, Pagination, Text, U32, idParams, page, sortEnum } from '../common';
import type { ApiContext } from '../context';

const TwinView = Type.Object({ twinId: Type.Integer(), accountId: Type.String(), relay: Type.String(), publicKey: Type.String() });
const TwinsQuery = Type.Object(
  {
    ...Pagination,
    sort_by: Type.Optional(sortEnum(['twin_id', 'relay'])),
    twin_id: Type.Optional(U32()),
    account_id: Type.Optional(Text()),
    relay: Type.Optional(Text()),
    public_key: Type.Optional(Text()),
  },
  { additionalProperties: false },
);
type TwinsQuery = Static<typeof TwinsQuery>;
type TwinView = Static<typeof TwinView>;

const twinView = (t: TwinRecord): TwinView => ({ twinId: t.twinId, accountId: t.accountId, relay: t.relay ?? '', publicKey: t.publicKey ?? '' });

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
      return page(list, q, reply, q.sort_by === 'relay' ? (t) => t.relay : (t) => t.twinId, (t) => t.twinId);
    },
  );

  app.get<{ Params: { id: number } }>(
    '/twins/:id',
    { schema: { tags: ['twins'], summary: 'One twin', params: idParams(U32('The twin id')), querystring: NoQuery, response: { 200: TwinView, 404: ErrorBody } } },
    async (req, reply) => {
      const t = ctx.view.twins.get(req.params.id);
      return t ? twinView(t) : reply.code(404).send({ error: `twin ${req.params.id} not found` });
    },
  );
}
