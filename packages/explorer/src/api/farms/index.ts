/** /farms (with their public IPs), /farms/:id and /public_ips. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { FarmRecord } from '../../model/records';
import {
  Count,
  ErrorBody,
  IdList,
  NODE_STATUSES,
  NoQuery,
  Pagination,
  Text,
  U32,
  ValueList,
  idList,
  idParams,
  page,
  sortEnum,
} from '../shared/schemas';
import { nowOf, type ApiContext } from '../shared/context';
import { NODE_FEATURES } from '../../view/node-facts';
import type { NodesQuery } from '../nodes/query';
import { nodePredicate, type NodeFilter } from '../nodes/search';

const PublicIp = Type.Object({
  id: Type.String(),
  ip: Type.String(),
  farm_id: Type.Integer(),
  contract_id: Type.Integer(),
  gateway: Type.String(),
});
const FarmView = Type.Object({
  name: Type.String(),
  farmId: Type.Integer(),
  twinId: Type.Integer(),
  pricingPolicyId: Type.Integer(),
  certificationType: Type.String(),
  stellarAddress: Type.String(),
  dedicated: Type.Boolean(),
  publicIps: Type.Array(PublicIp),
});
export type FarmView = Static<typeof FarmView>;

const FARM_SORT = ['farm_id', 'name', 'twin_id', 'free_ips', 'total_ips', 'used_ips', 'dedicated', 'public_ips'] as const;
const FarmsQuery = Type.Object(
  {
    ...Pagination,
    sort_by: Type.Optional(sortEnum(FARM_SORT)),
    farm_id: Type.Optional(U32()),
    farm_ids: Type.Optional(IdList),
    name: Type.Optional(Text()),
    name_contains: Type.Optional(Text()),
    twin_id: Type.Optional(U32()),
    pricing_policy_id: Type.Optional(U32()),
    certification_type: Type.Optional(Text()),
    dedicated: Type.Optional(Type.Boolean()),
    free_ips: Type.Optional(Count('At least this many free public IPs')),
    total_ips: Type.Optional(Count()),
    stellar_address: Type.Optional(Text()),
    // grid-proxy: the farm has at least one node matching every node_* filter (and country, region).
    node_free_mru: Type.Optional(Count('A node with at least this much free memory (bytes)')),
    node_free_hru: Type.Optional(Count('A node with at least this much free HDD (bytes)')),
    node_free_sru: Type.Optional(Count('A node with at least this much free SSD (bytes)')),
    node_total_cru: Type.Optional(Count('A node with at least this many cores')),
    node_status: Type.Optional(ValueList(NODE_STATUSES, 'A node with one of these statuses')),
    node_rented_by: Type.Optional(U32('A node rented by this twin')),
    node_available_for: Type.Optional(U32('A node available for this twin (farms with its rented nodes first)')),
    node_has_gpu: Type.Optional(Type.Boolean()),
    node_has_ipv6: Type.Optional(Type.Boolean({ description: 'A node with a public IPv6 config' })),
    node_certified: Type.Optional(Type.Boolean()),
    node_features: Type.Optional(ValueList(NODE_FEATURES, 'A node with all of these features')),
    country: Type.Optional(Text('A node in this country (case-insensitive)')),
    region: Type.Optional(Text('A node in this world region (case-insensitive)')),
  },
  { additionalProperties: false },
);
type FarmsQuery = Static<typeof FarmsQuery>;

const IpsQuery = Type.Object(
  {
    ...Pagination,
    sort_by: Type.Optional(sortEnum(['ip', 'contract_id', 'farm_id'])),
    farm_ids: Type.Optional(IdList),
    ip: Type.Optional(Text()),
    gateway: Type.Optional(Text('Its gateway')),
    free: Type.Optional(Type.Boolean({ description: 'Not used by a contract' })),
  },
  { additionalProperties: false },
);
type IpsQuery = Static<typeof IpsQuery>;

export function farmView(f: FarmRecord): FarmView {
  return {
    name: f.name,
    farmId: f.farmId,
    twinId: f.twinId,
    pricingPolicyId: f.pricingPolicyId,
    certificationType: f.certificationType,
    stellarAddress: f.stellarAddress,
    dedicated: f.dedicated,
    publicIps: f.publicIps.map((p) => ({
      id: `${f.farmId}-${p.ip}`,
      ip: p.ip,
      farm_id: f.farmId,
      contract_id: p.contractId,
      gateway: p.gateway,
    })),
  };
}

/** The node filter a farm query asks (undefined when it asks none): grid-proxy's node_* names mapped to /nodes'. */
export function farmNodeFilter(q: FarmsQuery): NodeFilter | undefined {
  const f: NodeFilter = {
    free_mru: q.node_free_mru,
    free_hru: q.node_free_hru,
    free_sru: q.node_free_sru,
    total_cru: q.node_total_cru,
    status: q.node_status,
    rented_by: q.node_rented_by,
    available_for: q.node_available_for,
    has_gpu: q.node_has_gpu,
    has_ipv6: q.node_has_ipv6,
    certified: q.node_certified,
    features: q.node_features,
    country: q.country,
    region: q.region,
  } as NodesQuery & { certified?: boolean };
  for (const k of Object.keys(f) as (keyof NodeFilter)[]) if (f[k] === undefined) delete f[k];
  return Object.keys(f).length === 0 ? undefined : f;
}

export function farmRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: FarmsQuery }>(
    '/farms',
    {
      schema: { tags: ['farms'], summary: 'List farms', querystring: FarmsQuery, response: { 200: Type.Array(FarmView) } },
      ...ctx.responses?.route(),
    },
    async (req, reply) => {
      const q = req.query;
      const ids = idList(q.farm_ids);
      const { view } = ctx;
      const nodeFilter = farmNodeFilter(q);
      const keep = nodeFilter && nodePredicate(view, nodeFilter, nowOf(ctx), false);
      // Farms with a matching node (the twin's rented ones marked, for node_available_for's order).
      const matching = new Map<number, boolean>();
      if (keep)
        for (const n of view.nodes.values())
          if (keep(n)) matching.set(n.farmId, (matching.get(n.farmId) ?? false) || n.rentContractId !== 0);
      const list = [...view.farms.values()]
        .filter((r) => !keep || matching.has(r.farmId))
        .map(farmView)
        .filter((f) => {
          const free = f.publicIps.filter((p) => p.contract_id === 0).length;
          return (
            (q.farm_id === undefined || f.farmId === q.farm_id) &&
            (ids === undefined || ids.includes(f.farmId)) &&
            (q.name === undefined || f.name.toLowerCase() === q.name.toLowerCase()) &&
            (q.name_contains === undefined || f.name.toLowerCase().includes(q.name_contains.toLowerCase())) &&
            (q.twin_id === undefined || f.twinId === q.twin_id) &&
            (q.pricing_policy_id === undefined || f.pricingPolicyId === q.pricing_policy_id) &&
            (q.certification_type === undefined || f.certificationType.toLowerCase() === q.certification_type.toLowerCase()) &&
            (q.dedicated === undefined || f.dedicated === q.dedicated) &&
            (q.free_ips === undefined || free >= q.free_ips) &&
            (q.total_ips === undefined || f.publicIps.length >= q.total_ips) &&
            (q.stellar_address === undefined || f.stellarAddress === q.stellar_address)
          );
        });
      const by = (q.sort_by as (typeof FARM_SORT)[number] | undefined) ?? 'farm_id';
      const free = (f: FarmView) => f.publicIps.filter((p) => p.contract_id === 0).length;
      const key = (f: FarmView): number | string =>
        by === 'name'
          ? f.name
          : by === 'twin_id'
            ? f.twinId
            : by === 'free_ips'
              ? free(f)
              : by === 'total_ips' || by === 'public_ips'
                ? f.publicIps.length
                : by === 'used_ips'
                  ? f.publicIps.length - free(f)
                  : by === 'dedicated'
                    ? f.dedicated
                      ? 1
                      : 0
                    : f.farmId;
      // grid-proxy: with node_available_for, farms holding the twin's rented nodes come first (whatever the order).
      const first = q.node_available_for !== undefined && !q.randomize;
      const rank = (f: FarmView) => (first && matching.get(f.farmId) ? 0 : 1);
      if (!first) return page(list, q, reply, key, (f) => f.farmId);
      const dir = q.sort_order === 'desc' ? -1 : 1;
      list.sort((a, b) => rank(a) - rank(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.farmId - b.farmId) * dir);
      return page(
        list,
        { ...q, randomize: false, sort_order: 'asc' },
        reply,
        () => 0,
        () => 0,
      );
    },
  );

  app.get<{ Params: { id: number } }>(
    '/farms/:id',
    {
      schema: {
        tags: ['farms'],
        summary: 'One farm',
        params: idParams(U32('The farm id')),
        querystring: NoQuery,
        response: { 200: FarmView, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const f = ctx.view.farms.get(req.params.id);
      return f ? farmView(f) : reply.code(404).send({ error: `farm ${req.params.id} not found` });
    },
  );

  app.get<{ Querystring: IpsQuery }>(
    '/public_ips',
    { schema: { tags: ['farms'], summary: 'Public IPs of all farms', querystring: IpsQuery, response: { 200: Type.Array(PublicIp) } } },
    async (req, reply) => {
      const q = req.query;
      const ids = idList(q.farm_ids);
      const list = [...ctx.view.farms.values()]
        .flatMap((f) => farmView(f).publicIps)
        .filter(
          (p) =>
            (ids === undefined || ids.includes(p.farm_id)) &&
            (q.ip === undefined || p.ip === q.ip) &&
            (q.gateway === undefined || p.gateway === q.gateway) &&
            (q.free === undefined || (p.contract_id === 0) === q.free),
        );
      const by = q.sort_by ?? 'farm_id';
      return page(
        list,
        q,
        reply,
        by === 'ip' ? (p) => p.ip : by === 'contract_id' ? (p) => p.contract_id : (p) => p.farm_id,
        (p) => p.farm_id * 1e6 + p.contract_id,
      );
    },
  );
}
