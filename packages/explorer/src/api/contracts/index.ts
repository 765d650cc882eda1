/** /contracts, /contracts/:id, /contracts/:id/bills. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { key } from '../../db/keys';
import type { BillRecord, ContractRecord, FarmRecord } from '../../model/records';
import { CONTRACT_SORT, contractSortKey, type ContractSort } from '../../view/contract-index';
import type { GridView } from '../../view/grid';
import {
  Count,
  DEFAULT_PAGE_SIZE,
  ErrorBody,
  MAX_LIST_LENGTH,
  MAX_PAGE_SIZE,
  MAX_U32,
  NoQuery,
  Pagination,
  Text,
  U32,
  countHeaders,
  idParams,
  shuffle,
  sortEnum,
} from '../shared/schemas';
import type { ApiContext } from '../shared/context';

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
    farm_name: Type.Optional(Type.String({ description: "The node's farm (node and rent contracts)" })),
    farm_id: Type.Optional(Type.Integer()),
  }),
  resources_used: Capacity,
  total_billed: Type.Number(),
});
export type ContractView = Static<typeof ContractView>;

const BillView = Type.Object({
  contract_id: Type.Integer(),
  amount_billed: Type.Number(),
  discount_received: Type.String(),
  timestamp: Type.Integer(),
});

const ContractsQuery = Type.Object(
  {
    ...Pagination,
    sort_by: Type.Optional(sortEnum(CONTRACT_SORT)),
    contract_id: Type.Optional(Count()),
    twin_id: Type.Optional(U32()),
    node_id: Type.Optional(U32()),
    type: Type.Optional(Type.Union([Type.Literal('node'), Type.Literal('name'), Type.Literal('rent')])),
    state: Type.Optional(
      Type.String({
        pattern: '^(Created|Deleted|GracePeriod)(,(Created|Deleted|GracePeriod))*$',
        maxLength: MAX_LIST_LENGTH,
        description: 'Created, Deleted or GracePeriod (comma-separated)',
      }),
    ),
    name: Type.Optional(Text()),
    deployment_hash: Type.Optional(Text()),
    number_of_public_ips: Type.Optional(Count()),
    deployment_data: Type.Optional(Text()),
    farm_name: Type.Optional(Text("The node's farm name (case-insensitive)")),
    farm_id: Type.Optional(U32("The node's farm")),
  },
  { additionalProperties: false },
);
export type ContractsQuery = Static<typeof ContractsQuery>;
/** The query's parameters that filter (the others page and order). */
const FILTERS = new Set(Object.keys(ContractsQuery.properties).filter((k) => !(k in Pagination) && k !== 'sort_by'));
const ContractIdParams = idParams(Count('The contract id'));
/** grid-proxy takes its Limit on bills: accepted; a page is cut only when page or size is given (else all, as before). */
const BillsQuery = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_U32, description: 'Page number, from 1' })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: `Page size (at most ${MAX_PAGE_SIZE})` })),
    ret_count: Pagination.ret_count,
    sort_order: Pagination.sort_order,
    randomize: Pagination.randomize,
    balance: Pagination.balance,
    sort_by: Type.Optional(Text('Accepted, as grid-proxy does; bills are in time order')),
  },
  { additionalProperties: false },
);
type BillsQuery = Static<typeof BillsQuery>;

/** The farm of a node or rent contract's node (grid-proxy's farm_name, farm_id); none for a name contract or a node gone. */
function farmOfContract(view: GridView, c: ContractRecord): FarmRecord | undefined {
  if (c.type === 'name') return undefined;
  const n = view.nodes.get(c.nodeId);
  return n && view.farms.get(n.farmId);
}

const ALL = (_c: ContractRecord) => true;

/** The filter of a /contracts query (ALL when it filters nothing). */
export function contractPredicate(view: GridView, q: ContractsQuery): (c: ContractRecord) => boolean {
  const states = q.state?.split(',');
  const farmName = q.farm_name?.toLowerCase();
  const none = Object.entries(q).every(([k, v]) => v === undefined || !FILTERS.has(k));
  if (none) return ALL;
  return (c) =>
    (q.contract_id === undefined || c.contractId === q.contract_id) &&
    (q.twin_id === undefined || c.twinId === q.twin_id) &&
    (q.node_id === undefined || (c.type !== 'name' && c.nodeId === q.node_id)) &&
    (q.type === undefined || c.type === q.type) &&
    (states === undefined || states.includes(c.state)) &&
    (q.name === undefined || c.name === q.name) &&
    (q.deployment_hash === undefined || c.deploymentHash === q.deployment_hash) &&
    (q.deployment_data === undefined || c.deploymentData === q.deployment_data) &&
    (farmName === undefined || (farmOfContract(view, c)?.name.toLowerCase() ?? null) === farmName) &&
    (q.farm_id === undefined || farmOfContract(view, c)?.farmId === q.farm_id) &&
    (q.number_of_public_ips === undefined || c.numberOfPublicIps >= q.number_of_public_ips);
}

/**
 * A /contracts page. A twin's, a node's or one id's contracts come from their index, filtered and
 * sorted; otherwise the kept order of the sort field is walked and the walk stops once the page
 * is full (an unfiltered list starts at the page and counts all contracts without a walk).
 */
export function searchContracts(view: GridView, q: ContractsQuery): { items: ContractRecord[]; count?: number } {
  const keep = contractPredicate(view, q);
  const by = (q.sort_by as ContractSort | undefined) ?? 'contract_id';
  const size = q.size ?? DEFAULT_PAGE_SIZE;
  const from = ((q.page ?? 1) - 1) * size;
  const ids =
    q.contract_id !== undefined
      ? [q.contract_id]
      : q.twin_id !== undefined
        ? view.contractsByTwin.get(q.twin_id)
        : q.node_id !== undefined
          ? view.contractsByNode.get(q.node_id)
          : undefined;
  if (ids !== undefined || q.randomize) {
    const source = ids === undefined ? [...view.contracts.values()] : [...ids].flatMap((id) => view.contracts.get(id) ?? []);
    const list = source.filter(keep);
    const k = contractSortKey(by);
    const dir = q.sort_order === 'desc' ? -1 : 1;
    if (q.randomize) shuffle(list);
    else
      list.sort((a, b) => {
        const x = k(a);
        const y = k(b);
        return (x < y ? -1 : x > y ? 1 : a.contractId - b.contractId) * dir;
      });
    return { items: list.slice(from, from + size), count: q.ret_count ? list.length : undefined };
  }
  const order = view.contractIndex.sorted(by);
  const unfiltered = keep === ALL;
  const walkAll = q.ret_count === true && !unfiltered;
  const desc = q.sort_order === 'desc';
  const last = order.length - 1;
  const items: ContractRecord[] = [];
  let matched = unfiltered ? from : 0;
  for (let i = matched; i <= last; i++) {
    const c = view.contracts.get(order[desc ? last - i : i]!)!;
    if (!keep(c)) continue;
    if (matched >= from && items.length < size) items.push(c);
    matched++;
    if (!walkAll && items.length === size) break;
  }
  return { items, count: q.ret_count ? (unfiltered ? order.length : matched) : undefined };
}

export function contractView(c: ContractRecord, view?: GridView): ContractView {
  const farm = view && farmOfContract(view, c);
  const where = { farm_name: farm?.name ?? '', farm_id: farm?.farmId ?? 0 };
  const details =
    c.type === 'node'
      ? {
          nodeId: c.nodeId,
          deployment_data: c.deploymentData,
          deployment_hash: c.deploymentHash,
          number_of_public_ips: c.numberOfPublicIps,
          ...where,
        }
      : c.type === 'rent'
        ? { nodeId: c.nodeId, ...where }
        : { name: c.name };
  return {
    contract_id: c.contractId,
    twin_id: c.twinId,
    state: c.state,
    created_at: c.createdAt,
    type: c.type,
    details,
    resources_used: c.resources,
    total_billed: c.billed,
  };
}

export function contractRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: ContractsQuery }>(
    '/contracts',
    {
      schema: { tags: ['contracts'], summary: 'List contracts', querystring: ContractsQuery, response: { 200: Type.Array(ContractView) } },
      ...ctx.responses?.route(),
    },
    async (req, reply) => {
      const q = req.query;
      const { items, count } = searchContracts(ctx.view, q);
      if (count !== undefined) countHeaders(reply, count, q.size ?? DEFAULT_PAGE_SIZE);
      return items.map((c) => contractView(c, ctx.view));
    },
  );

  app.get<{ Params: { id: number } }>(
    '/contracts/:id',
    {
      schema: {
        tags: ['contracts'],
        summary: 'One contract',
        params: ContractIdParams,
        querystring: NoQuery,
        response: { 200: ContractView, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const c = ctx.view.contracts.get(req.params.id);
      return c ? contractView(c, ctx.view) : reply.code(404).send({ error: `contract ${req.params.id} not found` });
    },
  );

  app.get<{ Params: { id: number }; Querystring: BillsQuery }>(
    '/contracts/:id/bills',
    {
      schema: {
        tags: ['contracts'],
        summary: 'Bills of a contract, oldest first',
        params: ContractIdParams,
        querystring: BillsQuery,
        response: { 200: Type.Array(BillView), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const c = ctx.view.contracts.get(req.params.id);
      if (!c) return reply.code(404).send({ error: `contract ${req.params.id} not found` });
      const q = req.query;
      let bills = await ctx.db.values<BillRecord>('bill', key(req.params.id) + '/');
      if (q.sort_order === 'desc') bills.reverse();
      if (q.ret_count) countHeaders(reply, bills.length, q.size ?? DEFAULT_PAGE_SIZE);
      if (q.page !== undefined || q.size !== undefined) {
        const size = q.size ?? DEFAULT_PAGE_SIZE;
        bills = bills.slice(((q.page ?? 1) - 1) * size, (q.page ?? 1) * size);
      }
      return bills.map((b) => ({
        contract_id: b.contractId,
        amount_billed: b.amountBilled,
        discount_received: b.discountLevel,
        timestamp: b.timestamp,
      }));
    },
  );
}
