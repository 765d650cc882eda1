/**
 * Without a chain: /contracts answered from the kept sort orders (walked with an early stop, an
 * unfiltered list paged and counted without a walk) agrees with a plain filter-and-sort of every
 * contract, and /stats from the kept totals (and the per-second sums by status) agrees with a sum
 * over every node — after creations, updates (state, resources, a node moved to another country or
 * farm), deletions and a farm becoming dedicated.
 */
import { GiB } from '@tfgrid/client';
import { key, type Op } from '../src/db';
import { GridView, type ContractRecord, type FarmRecord, type NodeRecord } from '../src';
import { contractPredicate, gridStats, searchContracts, type ContractsQuery } from '../src/api';
import { CONTRACT_SORT, contractSortKey, nodeStatus, type NodeStatus } from '../src/view';
import { hoursBelow, randomNode, seededRandom } from './random-nodes';

const NOW = 1_800_000_000;
const rnd = seededRandom(7);

const farm = (id: number, dedicated = id % 4 === 0): FarmRecord => ({
  farmId: id,
  name: `farm${id}`,
  twinId: id,
  pricingPolicyId: 1,
  certificationType: 'NotCertified',
  dedicated,
  stellarAddress: '',
  publicIps: Array.from({ length: id % 3 }, (_, i) => ({ ip: `10.0.${id}.${i}/24`, gateway: '10.0.0.1', contractId: 0 })),
});

const node = (id: number): NodeRecord =>
  randomNode(rnd, id, {
    now: NOW,
    farms: 12,
    countries: ['Belgium', 'Egypt', 'Germany'],
    cities: 5,
    twinIdOffset: 500,
    createdSecondsAgo: 86400,
    updatedSecondsAgo: 86400,
    certifiedOneIn: 0,
    lastReportSecondsAgo: hoursBelow(4),
    power: { downOneIn: 5 },
    activeContractsBelow: 0,
  });

const TYPES = ['node', 'name', 'rent'] as const;
const STATES = ['Created', 'GracePeriod', 'Deleted'] as const;
function contract(id: number): ContractRecord {
  const type = TYPES[rnd(3)]!;
  return {
    contractId: id,
    twinId: 1 + rnd(15),
    type,
    state: STATES[rnd(3)]!,
    nodeId: type === 'name' ? 0 : 1 + rnd(60),
    name: type === 'name' ? `name${id}` : '',
    deploymentHash: type === 'node' ? `h${rnd(4)}` : '',
    deploymentData: type === 'node' ? `d${rnd(3)}` : '',
    numberOfPublicIps: type === 'node' ? rnd(3) : 0,
    publicIps: [],
    solutionProviderId: null,
    resources: { cru: rnd(4), mru: rnd(8) * GiB, sru: 0, hru: 0 },
    createdAt: NOW - rnd(50) * 60,
    updatedAt: NOW,
    billed: 0,
  };
}

const view = new GridView();
let height = 0;
const commit = (ops: Op[]) => view.commit(ops, { height: ++height, hash: '0x01', timestamp: NOW });

beforeAll(() => {
  const ops: Op[] = [];
  for (let f = 1; f <= 12; f++) ops.push({ type: 'put', sub: 'farm', key: key(f), value: farm(f) });
  for (let i = 1; i <= 60; i++) ops.push({ type: 'put', sub: 'node', key: key(i), value: node(i) });
  // Ids not in order of creation, as an import may write them.
  for (const i of [...Array.from({ length: 300 }, (_, i) => 300 - i), ...Array.from({ length: 200 }, (_, i) => 301 + i)])
    ops.push({ type: 'put', sub: 'contract', key: key(i), value: contract(i) });
  commit(ops);
});

/** The reference: every contract through the filter, sorted by the key (ties by id), paged. */
function reference(q: ContractsQuery): { ids: number[]; count: number } {
  const keep = contractPredicate(view, q);
  const k = contractSortKey((q.sort_by as (typeof CONTRACT_SORT)[number]) ?? 'contract_id');
  const dir = q.sort_order === 'desc' ? -1 : 1;
  const all = [...view.contracts.values()].filter(keep).sort((a, b) => {
    const x = k(a);
    const y = k(b);
    return (x < y ? -1 : x > y ? 1 : a.contractId - b.contractId) * dir;
  });
  const size = q.size ?? 50;
  const from = ((q.page ?? 1) - 1) * size;
  return { ids: all.slice(from, from + size).map((c) => c.contractId), count: all.length };
}

const FILTERS: ContractsQuery[] = [
  {},
  { state: 'Created' },
  { state: 'Created,GracePeriod' },
  { type: 'node' },
  { type: 'rent', state: 'Deleted' },
  { twin_id: 3 },
  { node_id: 7 },
  { contract_id: 42 },
  { number_of_public_ips: 1 },
  { deployment_hash: 'h2' },
  { deployment_data: 'd1', type: 'node' },
  { farm_id: 4 },
  { farm_name: 'FARM5' },
  { name: 'name10' },
];

function checkContracts(): void {
  for (const f of FILTERS) {
    for (const sort_by of CONTRACT_SORT) {
      for (const sort_order of ['asc', 'desc'] as const) {
        for (const [page, size] of [
          [1, 20],
          [3, 17],
          [40, 50],
        ] as const) {
          for (const ret_count of [false, true]) {
            const q = { ...f, sort_by, sort_order, page, size, ret_count } as ContractsQuery;
            const want = reference(q);
            const got = searchContracts(view, q);
            expect({ q, ids: got.items.map((c) => c.contractId), count: got.count }).toEqual({
              q,
              ids: want.ids,
              count: ret_count ? want.count : undefined,
            });
          }
        }
      }
    }
  }
}

/** The reference /stats: a sum over every node and contract. */
function referenceStats(statuses?: NodeStatus[]) {
  const distribution: Record<string, number> = {};
  const t = { nodes: 0, cru: 0, sru: 0, mru: 0, hru: 0, access: 0, gateways: 0, dedicated: 0 };
  for (const n of view.nodes.values()) {
    if (statuses !== undefined && !statuses.includes(nodeStatus(n, NOW))) continue;
    if (view.farms.get(n.farmId)?.dedicated) t.dedicated++;
    distribution[n.location.country] = (distribution[n.location.country] ?? 0) + 1;
    t.nodes++;
    t.cru += n.total.cru;
    t.sru += n.total.sru;
    t.mru += n.total.mru;
    t.hru += n.total.hru;
    if (n.publicConfig.ipv4 !== '' || n.publicConfig.ipv6 !== '') t.access++;
    if (n.publicConfig.domain !== '') t.gateways++;
  }
  const live = [...view.contracts.values()].filter((c) => c.state !== 'Deleted');
  return {
    nodes: t.nodes,
    farms: view.farms.size,
    countries: Object.keys(distribution).length,
    totalCru: t.cru,
    totalSru: t.sru,
    totalMru: t.mru,
    totalHru: t.hru,
    publicIps: [...view.farms.values()].reduce((s, f) => s + f.publicIps.length, 0),
    accessNodes: t.access,
    gateways: t.gateways,
    twins: view.twins.size,
    contracts: live.length,
    nodesDistribution: distribution,
    gpus: 0,
    dedicatedNodes: t.dedicated,
    workloads_number: live.filter((c) => c.type === 'node').length,
  };
}

function checkStats(): void {
  for (const statuses of [undefined, ['up'], ['down'], ['standby'], ['up', 'standby'], ['up', 'down', 'standby']] as (
    NodeStatus[] | undefined
  )[]) {
    expect({ statuses, stats: gridStats(view, NOW, statuses) }).toEqual({ statuses, stats: referenceStats(statuses) });
  }
}

test('contracts and stats agree with filter-and-sort and a full sum on the initial grid', () => {
  checkContracts();
  checkStats();
});

test('they follow creations, updates and deletions', () => {
  for (let round = 0; round < 6; round++) {
    const ops: Op[] = [];
    // New contracts (ids after the last), some contracts changing state or resources, some deleted.
    for (let i = 0; i < 15; i++)
      ops.push({ type: 'put', sub: 'contract', key: key(501 + round * 15 + i), value: contract(501 + round * 15 + i) });
    for (let i = 0; i < 20; i++) {
      const c = view.contracts.get(1 + rnd(500));
      if (c)
        ops.push({
          type: 'put',
          sub: 'contract',
          key: key(c.contractId),
          value: { ...c, state: STATES[rnd(3)]!, resources: { ...c.resources, cru: rnd(9) } },
        });
    }
    for (let i = 0; i < 5; i++) ops.push({ type: 'del', sub: 'contract', key: key(1 + rnd(500)) });
    // Nodes moved, resized, deleted, created; a farm turning dedicated.
    for (let i = 0; i < 6; i++) {
      const n = view.nodes.get(1 + rnd(60));
      if (n)
        ops.push({
          type: 'put',
          sub: 'node',
          key: key(n.nodeId),
          value: {
            ...n,
            farmId: 1 + rnd(12),
            location: { ...n.location, country: ['Belgium', 'Egypt', 'Tanzania'][rnd(3)]! },
            total: { ...n.total, cru: rnd(40) },
          },
        });
    }
    ops.push({ type: 'del', sub: 'node', key: key(1 + rnd(60)) });
    ops.push({ type: 'put', sub: 'node', key: key(61 + round), value: node(61 + round) });
    const f = 1 + rnd(12);
    ops.push({ type: 'put', sub: 'farm', key: key(f), value: farm(f, !view.farms.get(f)?.dedicated) });
    commit(ops);
    checkContracts();
    checkStats();
  }
});
