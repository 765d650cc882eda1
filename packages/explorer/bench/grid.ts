/**
 * A synthetic grid of NODES nodes and CONTRACTS contracts, written into an explorer database
 * through the explorer's own event handlers (the same code that indexes chain events), in
 * batches with a cursor, as the indexer writes. The same JSON is what the chain stores, so the
 * chain-scan comparison can put it into a dev chain's storage.
 */
import { GiB } from '@tfgrid/client';
import { key } from '../src/db';
import { ExplorerDb } from '../src';
import { applyEvent, WriteSet } from '../src/indexer';
import { GridView } from '../src/view';

export const COUNTRIES = ['Belgium', 'Egypt', 'Germany', 'Austria', 'Tanzania', 'Brazil', 'India', 'Japan', 'Canada', 'Chile'];

let seed = 7;
// An LCG's low bits cycle quickly: take the high ones.
const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor(seed / 65536) % n);

export function nodeJson(id: number, farms: number, created: number): Record<string, unknown> {
  return {
    version: 4,
    id,
    farmId: 1 + (id % farms),
    twinId: 10_000 + id,
    resources: { hru: rnd(4) * 2000 * GiB, sru: (250 + rnd(8) * 250) * GiB, cru: 4 + rnd(29), mru: (8 + rnd(8) * 8) * GiB },
    location: { city: `City ${rnd(200)}`, country: COUNTRIES[rnd(COUNTRIES.length)]!, latitude: '50.1', longitude: '4.3' },
    publicConfig:
      rnd(5) === 0
        ? { ip4: { ip: `185.1.${id % 250}.${id % 200}/24`, gw: '185.1.0.1' }, ip6: null, domain: rnd(2) ? 'gw.example.com' : null }
        : null,
    created,
    farmingPolicyId: 1,
    interfaces: [{ name: 'zos', mac: '00:11:22:33:44:55', ips: ['10.0.0.2'] }],
    certification: rnd(5) === 0 ? 'Certified' : 'Diy',
    secureBoot: false,
    virtualized: false,
    serialNumber: `SN-${id}`,
    connectionPrice: 80,
  };
}

export function contractJson(id: number, nodes: number): Record<string, unknown> {
  return {
    version: 6,
    state: 'Created',
    contractId: id,
    twinId: 1 + rnd(5000),
    contractType: {
      nodeContract: {
        nodeId: 1 + rnd(nodes),
        deploymentHash: id.toString(16).padStart(32, '0'),
        deploymentData: 'vm',
        publicIps: 0,
        publicIpsList: [],
      },
    },
    solutionProviderId: null,
  };
}

export const usedOf = () => ({ hru: 0, sru: rnd(4) * 50 * GiB, cru: 1 + rnd(2), mru: (1 + rnd(4)) * GiB });

export interface SyntheticGrid {
  nodes: Record<string, unknown>[];
  contracts: { json: Record<string, unknown>; used: ReturnType<typeof usedOf> }[];
  farms: number;
}

export function syntheticGrid(nodes: number, contracts: number, now: number): SyntheticGrid {
  const farms = Math.max(1, Math.floor(nodes / 100));
  return {
    farms,
    nodes: Array.from({ length: nodes }, (_, i) => nodeJson(i + 1, farms, now - 30 * 86400)),
    contracts: Array.from({ length: contracts }, (_, i) => ({ json: contractJson(i + 1, nodes), used: usedOf() })),
  };
}

/** Writes the grid through the handlers, BATCH events per batch; most nodes reported uptime recently. */
export async function writeGrid(dir: string, g: SyntheticGrid, now: number): Promise<void> {
  const db = new ExplorerDb(dir);
  await db.open();
  const view = new GridView();
  let height = 0;
  let w = new WriteSet(db, view);
  let pending = 0;
  const flush = async () => {
    const cursor = { height: ++height, hash: `0x${height.toString(16)}`, timestamp: now };
    await db.write(w.ops, cursor);
    view.commit(w.ops, cursor);
    w = new WriteSet(db, view);
    pending = 0;
  };
  const ev = async (name: string, data: unknown[]) => {
    await applyEvent(w, { name, data, eventIndex: pending }, { number: height + 1, timestamp: now });
    if (++pending >= 2000) await flush();
  };
  for (let f = 1; f <= g.farms; f++) {
    const publicIps = Array.from({ length: f % 5 }, (_, i) => ({
      ip: `185.2.${f % 250}.${i + 2}/24`,
      gateway: '185.2.0.1',
      contractId: 0,
    }));
    await ev('TfgridModule.FarmStored', [
      { id: f, name: `farm_${f}`, twinId: f, pricingPolicyId: 1, certification: 'NotCertified', publicIps, dedicatedFarm: f % 10 === 0 },
    ]);
  }
  for (const n of g.nodes) {
    await ev('TfgridModule.NodeStored', [n]);
    // 90 % reported within the last 40 minutes (up), the rest two hours ago (down).
    const id = n.id as number;
    const at = id % 10 === 0 ? now - 7200 : now - (id % 2400);
    await ev('TfgridModule.NodeUptimeReported', [id, at - 2400, 100_000]);
    await ev('TfgridModule.NodeUptimeReported', [id, at, 100_000 + 2400]);
  }
  for (const c of g.contracts) {
    await ev('SmartContractModule.ContractCreated', [c.json]);
    await ev('SmartContractModule.UpdatedUsedResources', [{ contractId: c.json.contractId, used: c.used }]);
  }
  if (pending) await flush();
  await db.close();
  void key;
}
