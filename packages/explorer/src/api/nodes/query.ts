/** The /nodes query string (grid proxy names) and the filter it describes. */
import { Type, type Static } from '@sinclair/typebox';
import { IdList, Pagination, idList, sortEnum } from '../common';
import type { NodeView } from './view';

export const NODE_SORT = ['node_id', 'farm_id', 'twin_id', 'uptime', 'created', 'updated_at', 'country', 'city', 'status', 'free_mru', 'free_sru', 'free_hru', 'total_cru', 'total_mru', 'total_sru', 'total_hru', 'used_cru', 'used_mru', 'used_sru', 'used_hru', 'num_contracts'] as const;
export type NodeSort = (typeof NODE_SORT)[number];

const Bytes = (d: string) => Type.Optional(Type.Integer({ minimum: 0, description: `${d} (bytes)` }));
export const NodesQuery = Type.Object(
  {
    ...Pagination,
    sort_by: Type.Optional(sortEnum(NODE_SORT)),
    status: Type.Optional(Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('standby')], { description: 'up, down or standby' })),
    free_mru: Bytes('At least this much free memory'),
    free_sru: Bytes('At least this much free SSD'),
    free_hru: Bytes('At least this much free HDD'),
    total_mru: Bytes('At least this much memory'),
    total_sru: Bytes('At least this much SSD'),
    total_hru: Bytes('At least this much HDD'),
    total_cru: Type.Optional(Type.Integer({ minimum: 0, description: 'At least this many cores' })),
    country: Type.Optional(Type.String({ description: 'Country name (case-insensitive)' })),
    city: Type.Optional(Type.String({ description: 'City name (case-insensitive)' })),
    farm_ids: Type.Optional(IdList),
    farm_name: Type.Optional(Type.String()),
    node_id: Type.Optional(Type.Integer({ minimum: 0 })),
    twin_id: Type.Optional(Type.Integer({ minimum: 0 })),
    dedicated: Type.Optional(Type.Boolean({ description: 'In a dedicated farm' })),
    rentable: Type.Optional(Type.Boolean()),
    rented: Type.Optional(Type.Boolean()),
    rented_by: Type.Optional(Type.Integer({ minimum: 0, description: 'Rented by this twin' })),
    available_for: Type.Optional(Type.Integer({ minimum: 0, description: 'Not rented, or rented by this twin' })),
    ipv4: Type.Optional(Type.Boolean({ description: 'Has a public IPv4 config' })),
    ipv6: Type.Optional(Type.Boolean({ description: 'Has a public IPv6 config' })),
    domain: Type.Optional(Type.Boolean({ description: 'Has a public domain' })),
    certification_type: Type.Optional(Type.String({ description: 'Diy or Certified' })),
    free_ips: Type.Optional(Type.Integer({ minimum: 0, description: 'Its farm has at least this many free public IPs' })),
  },
  { additionalProperties: false },
);
export type NodesQuery = Static<typeof NodesQuery>;

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function nodeFilter(q: NodesQuery): (n: NodeView) => boolean {
  const farms = idList(q.farm_ids);
  return (n) =>
    (q.status === undefined || n.status === q.status) &&
    (q.free_mru === undefined || n.free_resources.mru >= q.free_mru) &&
    (q.free_sru === undefined || n.free_resources.sru >= q.free_sru) &&
    (q.free_hru === undefined || n.free_resources.hru >= q.free_hru) &&
    (q.total_mru === undefined || n.total_resources.mru >= q.total_mru) &&
    (q.total_sru === undefined || n.total_resources.sru >= q.total_sru) &&
    (q.total_hru === undefined || n.total_resources.hru >= q.total_hru) &&
    (q.total_cru === undefined || n.total_resources.cru >= q.total_cru) &&
    (q.country === undefined || eq(n.country, q.country)) &&
    (q.city === undefined || eq(n.city, q.city)) &&
    (farms === undefined || farms.includes(n.farmId)) &&
    (q.farm_name === undefined || eq(n.farmName, q.farm_name)) &&
    (q.node_id === undefined || n.nodeId === q.node_id) &&
    (q.twin_id === undefined || n.twinId === q.twin_id) &&
    (q.dedicated === undefined || n.dedicated === q.dedicated) &&
    (q.rentable === undefined || n.rentable === q.rentable) &&
    (q.rented === undefined || n.rented === q.rented) &&
    (q.rented_by === undefined || n.rentedByTwinId === q.rented_by) &&
    (q.available_for === undefined || !n.rented || n.rentedByTwinId === q.available_for) &&
    (q.ipv4 === undefined || (n.publicConfig.ipv4 !== '') === q.ipv4) &&
    (q.ipv6 === undefined || (n.publicConfig.ipv6 !== '') === q.ipv6) &&
    (q.domain === undefined || (n.publicConfig.domain !== '') === q.domain) &&
    (q.certification_type === undefined || eq(n.certificationType, q.certification_type)) &&
    (q.free_ips === undefined || n.farm_free_ips >= q.free_ips);
}

export function nodeSortKey(by: NodeSort | undefined): (n: NodeView) => number | string {
  switch (by ?? 'node_id') {
    case 'node_id': return (n) => n.nodeId;
    case 'farm_id': return (n) => n.farmId;
    case 'twin_id': return (n) => n.twinId;
    case 'uptime': return (n) => n.uptime;
    case 'created': return (n) => n.created;
    case 'updated_at': return (n) => n.updatedAt;
    case 'country': return (n) => n.country;
    case 'city': return (n) => n.city;
    case 'status': return (n) => n.status;
    case 'num_contracts': return (n) => n.num_contracts;
    default: {
      const [kind, res] = (by as string).split('_') as ['free' | 'total' | 'used', 'cru' | 'mru' | 'sru' | 'hru'];
      const field = kind === 'free' ? 'free_resources' : kind === 'total' ? 'total_resources' : 'used_resources';
      return (n) => n[field][res];
    }
  }
}
