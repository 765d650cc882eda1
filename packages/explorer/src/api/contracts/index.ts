/** /contracts, /contracts/:id, /contracts/:id/bills. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { key } from '../../db/keys';
import type { BillRecord, ContractRecord } from '../../indexer/records';
import { Count, ErrorBody, MAX_LIST_LENGTH, NoQuery, Pagination, Text, U32, idParams, page, sortEnum } from '../common';
import type { ApiContext } from '../context';

const Capacity = Type.Object({ cru: Type.Number(), sru: Type.Number(), hru: Type.Number(), mru: Type.Number() });
const ContractView = Type.Object({
  contract_id: Type.Integer(),
  twin_id: Type.Integer(),
  state: Type.String(),
  created_at: Type.Integer(),
  type: Type.String(),
  details: Type.Object({
    nodeId: Type.Optional(Type.Integer()),
    deployment_data: Type.Optional(Type.String()),
    deployment_hash: Type.Optional(Type.String()),
    number_of_public_ips: Type.Optional(Type.Integer()),
    name: Type.Optional(Type.String()),
  }),
  resources_used: Capacity,
  total_billed: Type.Number(),
});
type ContractView = Static<typeof ContractView>;

const BillView = Type.Object({ contract_id: Type.Integer(), amount_billed: Type.Number(), discount_received: Type.String(), timestamp: Type.Integer() });

const CONTRACT_SORT = ['contract_id', 'twin_id', 'node_id', 'created_at', 'state', 'type'] as const;
const ContractsQuery = Type.Object(
  {
    ...Pagination,
    sort_by: Type.Optional(sortEnum(CONTRACT_SORT)),
    contract_id: Type.Optional(Count()),
    twin_id: Type.Optional(U32()),
    node_id: Type.Optional(U32()),
    type: Type.Optional(Type.Union([Type.Literal('node'), Type.Literal('name'), Type.Literal('rent')])),
    state: Type.Optional(Type.String({ pattern: '^(Created|Deleted|GracePeriod)(,(Created|Deleted|GracePeriod))*$', maxLength: MAX_LIST_LENGTH, description: 'Created, Deleted or GracePeriod (comma-separated)' })),
    name: Type.Optional(Text()),
    deployment_hash: Type.Optional(Text()),
    number_of_public_ips: Type.Optional(Count()),
  },
  { additionalProperties: false },
);
type ContractsQuery = Static<typeof ContractsQuery>;
const ContractIdParams = idParams(Count('The contract id'));

export function contractView(c: ContractRecord): ContractView {
  const details =
    c.type === 'node'
      ? { nodeId: c.nodeId, deployment_data: c.deploymentData, deployment_hash: c.deploymentHash, number_of_public_ips: c.numberOfPublicIps }
      : c.type === 'rent'
        ? { nodeId: c.nodeId }
        : { name: c.name };
  return { contract_id: c.contractId, twin_id: c.twinId, state: c.state, created_at: c.createdAt, type: c.type, details, resources_used: c.resources, total_billed: c.billed };
}

export function contractRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: ContractsQuery }>(
    '/contracts',
    { schema: { tags: ['contracts'], summary: 'List contracts', querystring: ContractsQuery, response: { 200: Type.Array(ContractView) } }, ...ctx.responses?.route() },
    async (req, reply) => {
      const q = req.query;
      const states = q.state?.split(',');
      // A twin's or a node's contracts come from their index; otherwise all are filtered.
      const { view } = ctx;
      const ids = q.contract_id !== undefined ? [q.contract_id] : q.twin_id !== undefined ? view.contractsByTwin.get(q.twin_id) : q.node_id !== undefined ? view.contractsByNode.get(q.node_id) : undefined;
      const source = ids === undefined ? [...view.contracts.values()] : [...ids].flatMap((id) => view.contracts.get(id) ?? []);
      const list = source.filter(
        (c) =>
          (q.contract_id === undefined || c.contractId === q.contract_id) &&
          (q.twin_id === undefined || c.twinId === q.twin_id) &&
          (q.node_id === undefined || (c.type !== 'name' && c.nodeId === q.node_id)) &&
          (q.type === undefined || c.type === q.type) &&
          (states === undefined || states.includes(c.state)) &&
          (q.name === undefined || c.name === q.name) &&
          (q.deployment_hash === undefined || c.deploymentHash === q.deployment_hash) &&
          (q.number_of_public_ips === undefined || c.numberOfPublicIps >= q.number_of_public_ips),
      );
      const by = (q.sort_by as (typeof CONTRACT_SORT)[number] | undefined) ?? 'contract_id';
      const sortKey = (c: ContractRecord): number | string =>
        by === 'twin_id' ? c.twinId : by === 'node_id' ? c.nodeId : by === 'created_at' ? c.createdAt : by === 'state' ? c.state : by === 'type' ? c.type : c.contractId;
      return page(list, q, reply, sortKey, (c) => c.contractId).map(contractView);
    },
  );

  app.get<{ Params: { id: number } }>(
    '/contracts/:id',
    { schema: { tags: ['contracts'], summary: 'One contract', params: ContractIdParams, querystring: NoQuery, response: { 200: ContractView, 404: ErrorBody } } },
    async (req, reply) => {
      const c = ctx.view.contracts.get(req.params.id);
      return c ? contractView(c) : reply.code(404).send({ error: `contract ${req.params.id} not found` });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/contracts/:id/bills',
    { schema: { tags: ['contracts'], summary: 'Bills of a contract, oldest first', params: ContractIdParams, querystring: NoQuery, response: { 200: Type.Array(BillView), 404: ErrorBody } } },
    async (req, reply) => {
      const c = ctx.view.contracts.get(req.params.id);
      if (!c) return reply.code(404).send({ error: `contract ${req.params.id} not found` });
      const bills = await ctx.db.values<BillRecord>('bill', key(req.params.id) + '/');
      return bills.map((b) => ({ contract_id: b.contractId, amount_billed: b.amountBilled, discount_received: b.discountLevel, timestamp: b.timestamp }));
    },
  );
}
