/** The /nodes query string (grid proxy names) and the filter it describes. */
import { Type, type Static } from '@sinclair/typebox';
import { MAX_SAFE, NODE_STATUSES, Count, IdList, Pagination, Text, U32, ValueList, sortEnum } from '../shared/schemas';
import { STATIC_NODE_SORT } from '../../view/node-index';
import { NODE_FEATURES } from '../../view/node-facts';

/** Sorts by record fields (indexed), then those computed at request time (status, farm-dependent, price, reputation). */
export const DYNAMIC_NODE_SORT = [
  'status',
  'dedicated_farm',
  'rentable',
  'price_usd',
  'reputation_24h',
  'reputation_7d',
  'reputation_30d',
] as const;
export const NODE_SORT = [...STATIC_NODE_SORT, ...DYNAMIC_NODE_SORT] as const;
export type NodeSort = (typeof NODE_SORT)[number];
const Ratio = (d: string) =>
  Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: `At least this uptime ratio (0..1) over the last ${d}` }));

const Bytes = (d: string) => Type.Optional(Count(`${d} (bytes)`));
export const NodesQuery = Type.Object(
  {
    ...Pagination,
    sort_by: Type.Optional(sortEnum(NODE_SORT)),
    status: Type.Optional(ValueList(NODE_STATUSES, 'up, down or standby')),
    free_cru: Type.Optional(Count('At least this many free cores')),
    free_mru: Bytes('At least this much free memory'),
    free_sru: Bytes('At least this much free SSD'),
    free_hru: Bytes('At least this much free HDD'),
    total_mru: Bytes('At least this much memory'),
    total_sru: Bytes('At least this much SSD'),
    total_hru: Bytes('At least this much HDD'),
    total_cru: Type.Optional(Count('At least this many cores')),
    country: Type.Optional(Text('Country name (case-insensitive)')),
    city: Type.Optional(Text('City name (case-insensitive)')),
    farm_ids: Type.Optional(IdList),
    farm_name: Type.Optional(Text()),
    node_id: Type.Optional(U32()),
    twin_id: Type.Optional(U32()),
    dedicated: Type.Optional(Type.Boolean({ description: 'In a dedicated farm' })),
    rentable: Type.Optional(Type.Boolean()),
    rented: Type.Optional(Type.Boolean()),
    rented_by: Type.Optional(U32('Rented by this twin')),
    available_for: Type.Optional(U32('Not rented, or rented by this twin')),
    ipv4: Type.Optional(Type.Boolean({ description: 'Has a public IPv4 config' })),
    ipv6: Type.Optional(Type.Boolean({ description: 'Has a public IPv6 config' })),
    domain: Type.Optional(Type.Boolean({ description: 'Has a public domain' })),
    certification_type: Type.Optional(Text('Diy or Certified')),
    free_ips: Type.Optional(Count('Its farm has at least this many free public IPs')),
    min_reputation_24h: Ratio('24 hours'),
    min_reputation_7d: Ratio('7 days'),
    min_reputation_30d: Ratio('30 days'),
    // grid-proxy's other NodeFilter fields.
    country_contains: Type.Optional(Text('Country name contains (case-insensitive)')),
    city_contains: Type.Optional(Text('City name contains (case-insensitive)')),
    region: Type.Optional(Text("The country's world region: Africa, Americas, Asia, Europe, Oceania (case-insensitive)")),
    farm_name_contains: Type.Optional(Text('Farm name contains (case-insensitive)')),
    in_dedicated_farm: Type.Optional(Type.Boolean({ description: 'In a dedicated farm' })),
    owned_by: Type.Optional(U32("Its farm's twin")),
    rentable_or_rented_by: Type.Optional(U32('Rentable, or rented by this twin (its rented nodes first)')),
    node_ids: Type.Optional(IdList),
    excluded: Type.Optional(IdList),
    healthy: Type.Optional(Type.Boolean({ description: 'Up now (the explorer has no RMB health check; see the README)' })),
    has_ipv6: Type.Optional(Type.Boolean({ description: 'Has a public IPv6 config' })),
    has_gpu: Type.Optional(Type.Boolean()),
    num_gpu: Type.Optional(Count('At least this many GPUs')),
    gpu_device_id: Type.Optional(Text()),
    gpu_device_name: Type.Optional(Text()),
    gpu_vendor_id: Type.Optional(Text()),
    gpu_vendor_name: Type.Optional(Text()),
    gpu_available: Type.Optional(Type.Boolean({ description: 'Has a GPU no contract uses' })),
    price_min: Type.Optional(
      Type.Number({ minimum: 0, maximum: MAX_SAFE, description: 'Monthly USD price at least (after the balance discount)' }),
    ),
    price_max: Type.Optional(
      Type.Number({ minimum: 0, maximum: MAX_SAFE, description: 'Monthly USD price at most (after the balance discount)' }),
    ),
    features: Type.Optional(ValueList(NODE_FEATURES, 'Has all of these features')),
  },
  { additionalProperties: false },
);
export type NodesQuery = Static<typeof NodesQuery>;
