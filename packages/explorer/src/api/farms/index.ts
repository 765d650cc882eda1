/** /farms (with their public IPs), /farms/:id and /public_ips. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { FarmRecord } from '../../indexer/records';
import { Count, ErrorBody, IdList, NoQuery, Pagination, Text, U32, idList, idParams, page, sortEnum } from '../common';
import type { ApiContext } from '../context';

const PublicIp = Type.Object({ id: Type.String(), ip: Type.String(), farm_id: Type.Integer(), contract_id: Type.Integer(), gateway: Type.String() });
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
type FarmView = Static<typeof FarmView>;

const FARM_SORT = ['farm_id', 'name', 'twin_id', 'free_ips', 'total_ips'] as const;
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
  },
  { additionalProperties: false },
);
type FarmsQuery = Static<typeof FarmsQuery>;

const IpsQuery = Type.Object(
  { ...Pagination, farm_ids: Type.Optional(IdList), ip: Type.Optional(Text()), free: Type.Optional(Type.Boolean({ description: 'Not used by a contract' })) },
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
    publicIps: f.publicIps.map((p) => ({ id: `${f.farmId}-${p.ip}`, ip: p.ip, farm_id: f.farmId, contract_id: p.contractId, gateway: p.gateway })),
  };
}

export function farmRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: FarmsQuery }>(
    '/farms',
    { schema: { tags: ['farms'], summary: 'List farms', querystring: FarmsQuery, response: { 200: Type.Array(FarmView) } }, ...ctx.responses?.route() },
    async (req, reply) => {
      const q = req.query;
      const ids = idList(q.farm_ids);
      const list = [...ctx.view.farms.values()].map(farmView).filter((f) => {
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
      const sortKey = (f: FarmView): number | string =>
        by === 'name' ? f.name : by === 'twin_id' ? f.twinId : by === 'free_ips' ? f.publicIps.filter((p) => p.contract_id === 0).length : by === 'total_ips' ? f.publicIps.length : f.farmId;
      return page(list, q, reply, sortKey, (f) => f.farmId);
    },
  );

  app.get<{ Params: { id: number } }>(
    '/farms/:id',
    { schema: { tags: ['farms'], summary: 'One farm', params: idParams(U32('The farm id')), querystring: NoQuery, response: { 200: FarmView, 404: ErrorBody } } },
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
        .filter((p) => (ids === undefined || ids.includes(p.farm_id)) && (q.ip === undefined || p.ip === q.ip) && (q.free === undefined || (p.contract_id === 0) === q.free));
      return page(list, q, reply, (p) => p.farm_id, (p) => p.contract_id);
    },
  );
}
