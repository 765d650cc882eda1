/**
 * A store for the rewards routes built by the indexer's own handlers (no chain), as the indexer
 * writes it (one batch with its cursor per block): policies 1 (DIY) and 2 (certified), farm 3
 * 'alpha' with nodes 7 and 8 (4 cores, 8 GiB, 500 GiB SSD), a report from each every 2400 s over
 * period 100 and one after it, node 8's report 500 an invalid reboot, node 7 given 16 cores after
 * the period, and a block 27 h after the end. Node 7 earns 6200 mUSD = 77.5 TFT (rewards.test.ts).
 * Node 9 (farm 4 'beta') reports as node 7 but ran virtualized for a while within the period.
 * Also used by the CLI's farm rewards test.
 */
import { GiB } from '@tfgrid/client';
import { ExplorerDb, GridView } from '../src';
import { applyEvent, WriteSet } from '../src/indexer';
import { periodAt, POST_PERIOD_SECONDS } from '../src/rewards';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export const FIXTURE_PERIOD = periodAt(100);
const P = FIXTURE_PERIOD;

const nodeJson = (id: number, over: Any = {}): Any => ({
  version: 2,
  id,
  farmId: 3,
  twinId: 9 + id,
  resources: { hru: 0, sru: 500 * GiB, cru: 4, mru: 8 * GiB },
  location: { city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: '3.72' },
  publicConfig: null,
  interfaces: [],
  created: P.start - 100,
  farmingPolicyId: 1,
  certification: 'Diy',
  secureBoot: false,
  virtualized: false,
  serialNumber: 'SN',
  connectionPrice: 80,
  ...over,
});
const policyJson = (id: number, name: string, cu: number, su: number, kind: string): Any => ({
  version: 1,
  id,
  name,
  cu,
  su,
  nu: 30,
  ipv4: 5,
  minimalUptime: 95,
  policyCreated: 0,
  policyEnd: 0,
  immutable: false,
  default: true,
  nodeCertification: kind,
  farmCertification: 'NotCertified',
});
const twinJson = (id: number): Any => ({ id, accountId: `5Account${id}`, relay: 'relay.dev.grid.tf', entities: [], pk: null });

export async function buildRewardsStore(dir: string): Promise<{ db: ExplorerDb; view: GridView }> {
  const db = new ExplorerDb(dir);
  await db.open();
  const view = new GridView();
  let height = 0;
  const block = async (timestamp: number, events: [string, unknown[]][]): Promise<void> => {
    const w = new WriteSet(db, view);
    const ctx = { number: ++height, timestamp };
    for (const [i, [name, data]] of events.entries()) await applyEvent(w, { name, data, eventIndex: i }, ctx);
    const cursor = { height, hash: `0x${height.toString(16)}`, timestamp };
    await db.write(w.ops, cursor);
    view.commit(w.ops, cursor);
  };
  await block(P.start - 200, [
    ['TfgridModule.FarmingPolicyStored', [policyJson(1, 'diy', 2400, 1000, 'Diy')]],
    ['TfgridModule.FarmingPolicyStored', [policyJson(2, 'certified', 3000, 1250, 'Certified')]],
    ['TfgridModule.TwinStored', [twinJson(9)]],
    ['TfgridModule.TwinStored', [twinJson(16)]],
    ['TfgridModule.TwinStored', [twinJson(17)]],
    ['TfgridModule.TwinStored', [twinJson(18)]],
    [
      'TfgridModule.FarmStored',
      [{ id: 4, name: 'beta', twinId: 9, pricingPolicyId: 1, certification: 'NotCertified', dedicatedFarm: false, publicIps: [] }],
    ],
    [
      'TfgridModule.FarmStored',
      [{ id: 3, name: 'alpha', twinId: 9, pricingPolicyId: 1, certification: 'NotCertified', dedicatedFarm: false, publicIps: [] }],
    ],
  ]);
  await block(P.start - 100, [
    ['TfgridModule.NodeStored', [nodeJson(7)]],
    ['TfgridModule.NodeStored', [nodeJson(8)]],
    ['TfgridModule.NodeStored', [nodeJson(9, { farmId: 4 })]],
  ]);
  // Block 2 + k holds report k of both nodes.
  for (let k = 1; k <= 1097; k++) {
    const t = P.start + 2400 * k;
    await block(t, [
      ['TfgridModule.NodeUptimeReported', [7, t, 1_000_000 + 2400 * k]],
      ['TfgridModule.NodeUptimeReported', [8, t, k === 500 ? 5000 : 1_000_000 + 2400 * k]],
      ['TfgridModule.NodeUptimeReported', [9, t, 1_000_000 + 2400 * k]],
      ...(k === 300 || k === 400
        ? [['TfgridModule.NodeUpdated', [nodeJson(9, { farmId: 4, virtualized: k === 300 })]] as [string, unknown[]]]
        : []),
    ]);
  }
  await block(P.end + 10_000, [
    ['TfgridModule.NodeUpdated', [nodeJson(7, { resources: { hru: 0, sru: 500 * GiB, cru: 16, mru: 8 * GiB } })]],
  ]);
  await block(P.end + POST_PERIOD_SECONDS + 60, []);
  return { db, view };
}
