/** A node as the grid proxy shows it, with its status computed at request time. */
import { Type, type Static } from '@sinclair/typebox';
import { freeCapacity } from '@tfgrid/client';
import type { FarmRecord, NodeRecord, Resources } from '../../model/records';
import type { GridView } from '../../view/grid';
import { REPUTATION_WINDOWS, reputation, type ReputationWindow } from '../../view/reputation';
import { EMPTY_DMI, NO_SPEED, nodeFeatures, nodeGpus, nodeHealthy, priceUsd } from '../../view/node-facts';
import { UP_WINDOW_S, nodeStatus } from '../../view/node-status';
import { regionOf } from './regions';

export const NodeGpu = Type.Object({ id: Type.String(), vendor: Type.String(), device: Type.String(), contract: Type.Integer() });
const Capacity = Type.Object({ cru: Type.Number(), sru: Type.Number(), hru: Type.Number(), mru: Type.Number() });
export const NodeView = Type.Object({
  id: Type.String(),
  nodeId: Type.Integer(),
  farmId: Type.Integer(),
  farmName: Type.String(),
  twinId: Type.Integer(),
  country: Type.String(),
  city: Type.String(),
  gridVersion: Type.Integer(),
  uptime: Type.Integer(),
  created: Type.Integer(),
  farmingPolicyId: Type.Integer(),
  updatedAt: Type.Integer(),
  total_resources: Capacity,
  used_resources: Capacity,
  free_resources: Capacity,
  location: Type.Object({
    country: Type.String(),
    city: Type.String(),
    region: Type.String({ description: "The country's world region ('' when unknown)" }),
    longitude: Type.Union([Type.Number(), Type.Null()], { description: 'Degrees; null when the node registered no number' }),
    latitude: Type.Union([Type.Number(), Type.Null()], { description: 'Degrees; null when the node registered no number' }),
  }),
  publicConfig: Type.Object({ domain: Type.String(), gw4: Type.String(), gw6: Type.String(), ipv4: Type.String(), ipv6: Type.String() }),
  status: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('standby')]),
  certificationType: Type.String(),
  dedicated: Type.Boolean(),
  inDedicatedFarm: Type.Boolean(),
  rentContractId: Type.Integer(),
  rentedByTwinId: Type.Integer(),
  rented: Type.Boolean(),
  rentable: Type.Boolean(),
  serialNumber: Type.String(),
  power: Type.Object({ state: Type.String(), target: Type.String() }),
  num_contracts: Type.Integer(),
  farm_free_ips: Type.Integer(),
  secureBoot: Type.Boolean(),
  virtualized: Type.Boolean(),
  interfaces: Type.Array(Type.Object({ name: Type.String(), mac: Type.String(), ips: Type.String() })),
  num_gpu: Type.Integer(),
  gpus: Type.Array(NodeGpu),
  extraFee: Type.Integer({ description: 'The extra fee of a dedicated node (NodeExtraFeeSet)' }),
  healthy: Type.Boolean({ description: 'Up now (power state and target Up, reporting)' }),
  dmi: Type.Object({
    bios: Type.Object({ vendor: Type.String(), version: Type.String() }),
    baseboard: Type.Object({ manufacturer: Type.String(), product_name: Type.String() }),
    processor: Type.Array(Type.Object({ version: Type.String(), thread_count: Type.String() })),
    memory: Type.Array(Type.Object({ manufacturer: Type.String(), type: Type.String() })),
  }),
  speed: Type.Object({ upload: Type.Number(), download: Type.Number() }),
  price_usd: Type.Number({ description: 'Monthly price in USD (discounted for `balance` when given)' }),
  features: Type.Array(Type.String()),
  reputation: Type.Object(
    { last_24h: Type.Number(), last_7d: Type.Number(), last_30d: Type.Number() },
    { description: 'Uptime ratio (0..1) over the last 24 hours, 7 days and 30 days, from the uptime reports' },
  ),
});
export type NodeView = Static<typeof NodeView>;

const nonNegative = (r: Resources): Resources => ({
  cru: Math.max(0, r.cru),
  sru: Math.max(0, r.sru),
  hru: Math.max(0, r.hru),
  mru: Math.max(0, r.mru),
});

/** A node's uptime ratio over a window ending at `now` (see view/reputation.ts). */
export function nodeReputation(view: GridView, n: NodeRecord, w: ReputationWindow, now: number): number {
  const c = view.coverage.get(n.nodeId);
  return c ? reputation(c, REPUTATION_WINDOWS[w], now, n.created, UP_WINDOW_S) : 0;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** A registered coordinate as a number (grid-proxy's convert_to_decimal), or null when it is none. */
export function coordinate(s: string): number | null {
  const t = s.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}

export function nodeView(view: GridView, n: NodeRecord, now: number, balance = 0): NodeView {
  const farm: FarmRecord | undefined = view.farms.get(n.farmId);
  const inDedicatedFarm = farm?.dedicated ?? false;
  const rented = n.rentContractId !== 0;
  const rep = (w: ReputationWindow) => round(nodeReputation(view, n, w, now));
  return {
    id: String(n.nodeId),
    nodeId: n.nodeId,
    farmId: n.farmId,
    farmName: farm?.name ?? '',
    twinId: n.twinId,
    country: n.location.country,
    city: n.location.city,
    gridVersion: n.gridVersion,
    uptime: n.uptime,
    created: n.created,
    farmingPolicyId: n.farmingPolicyId,
    updatedAt: Math.max(n.updatedAt, n.lastUptimeReport),
    total_resources: n.total,
    used_resources: nonNegative(n.used),
    free_resources: freeCapacity(n.total, n.used),
    location: {
      country: n.location.country,
      city: n.location.city,
      region: regionOf(n.location.country),
      longitude: coordinate(n.location.longitude),
      latitude: coordinate(n.location.latitude),
    },
    publicConfig: n.publicConfig,
    status: nodeStatus(n, now),
    certificationType: n.certificationType,
    dedicated: inDedicatedFarm,
    inDedicatedFarm,
    rentContractId: n.rentContractId,
    rentedByTwinId: n.rentedByTwinId,
    rented,
    rentable: !rented && (inDedicatedFarm || n.activeContracts === 0),
    serialNumber: n.serialNumber,
    power: { state: n.power.state, target: n.power.target },
    num_contracts: n.activeContracts,
    farm_free_ips: view.farmFreeIps.get(n.farmId) ?? 0,
    secureBoot: n.secureBoot,
    virtualized: n.virtualized,
    interfaces: n.interfaces.map((i) => ({ name: i.name, mac: i.mac, ips: i.ips.join('/') })),
    num_gpu: nodeGpus(n).length,
    gpus: nodeGpus(n),
    extraFee: n.extraFee ?? 0,
    healthy: nodeHealthy(n, now),
    dmi: EMPTY_DMI,
    speed: NO_SPEED,
    price_usd: priceUsd(view, n, balance),
    features: nodeFeatures(n),
    reputation: { last_24h: rep('24h'), last_7d: rep('7d'), last_30d: rep('30d') },
  };
}
