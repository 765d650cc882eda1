/**
 * Importing state instead of indexing it (`--from`): an explorer started at a block after live
 * contracts were made reads them from storage. Their used resources (NodeContractResources), the
 * nodes' used capacity and contract counts, a node's power, a twin's records: all as an explorer
 * that indexed every event from block 1 holds them. A cancelled contract is not counted.
 */
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import type { TfchainClient } from '@tfgrid/client';
import { startExplorer, type Explorer } from '../src';
import { GiB, finalizedHeight, get, nodeInput, synced, tempDir, twinClient } from './support';

jest.setTimeout(120_000);

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let chain: Devchain;
const clients: TfchainClient[] = [];
const explorers: Explorer[] = [];
const dirs = [tempDir(), tempDir()];
let indexed: Explorer;
let imported: Explorer;
let alice: TfchainClient;
let n1: number;
let n2: number;
let live: number[];
let cancelled: number;

beforeAll(async () => {
  chain = await startChain();
  alice = await twinClient(chain, '//Alice');
  const farmer = await twinClient(chain, '//Bob');
  const node1 = await twinClient(chain, '0x' + '61'.repeat(32), alice, 'ed25519');
  const node2 = await twinClient(chain, '0x' + '62'.repeat(32), alice, 'ed25519');
  clients.push(alice, farmer, node1, node2);
  const farmId = await farmer.farms.create({ name: 'imported_farm' });
  n1 = await node1.nodes.create(nodeInput(farmId));
  n2 = await node2.nodes.create(
    nodeInput(farmId, { serialNumber: 'SN-0002', resources: { hru: 1000 * GiB, sru: 200 * GiB, cru: 8, mru: 16 * GiB } }),
  );
  const a = await alice.contracts.createNode({ nodeId: n1, hash: 'd'.repeat(32), data: 'a' });
  const b = await alice.contracts.createNode({ nodeId: n1, hash: 'e'.repeat(32), data: 'b' });
  const c = await alice.contracts.createNode({ nodeId: n2, hash: 'f'.repeat(32), data: 'c' });
  const gone = await alice.contracts.createNode({ nodeId: n2, hash: '9'.repeat(32), data: 'gone' });
  await node1.contracts.reportResources([
    { contractId: a, used: { hru: 0, sru: 10 * GiB, cru: 1, mru: 2 * GiB } },
    { contractId: b, used: { hru: 0, sru: 20 * GiB, cru: 2, mru: 1 * GiB } },
  ]);
  await node2.contracts.reportResources([
    { contractId: c, used: { hru: 100 * GiB, sru: 0, cru: 3, mru: 4 * GiB } },
    { contractId: gone, used: { hru: 0, sru: 1 * GiB, cru: 1, mru: 1 * GiB } },
  ]);
  await alice.contracts.cancel(gone);
  await node2.nodes.changePowerState('Down', { wait: 'finalized' });
  live = [a, b, c];
  cancelled = gone;

  indexed = await startExplorer({ chain: chain.url, db: dirs[0]!.dir, port: 0, pollMs: 100 });
  explorers.push(indexed);
  // Everything so far is state the second explorer never sees an event of.
  imported = await startExplorer({ chain: chain.url, db: dirs[1]!.dir, port: 0, pollMs: 100, from: (await finalizedHeight(alice)) + 1 });
  explorers.push(imported);
  await synced(indexed, alice);
  await synced(imported, alice);
});

afterAll(async () => {
  for (const e of explorers) await e.stop();
  for (const c of clients) await c.disconnect();
  await chain?.stop();
  for (const d of dirs) d.remove();
});

test("imported contracts carry their used resources, and their nodes' used capacity is the sum", async () => {
  const [a, b, c] = live as [number, number, number];
  const contract = async (id: number) => (await get<Any>(imported, `/contracts/${id}`)).body;
  expect(await contract(a)).toMatchObject({ state: 'Created', resources_used: { hru: 0, sru: 10 * GiB, cru: 1, mru: 2 * GiB } });
  expect(await contract(b)).toMatchObject({ state: 'Created', resources_used: { hru: 0, sru: 20 * GiB, cru: 2, mru: 1 * GiB } });
  expect(await contract(c)).toMatchObject({ state: 'Created', resources_used: { hru: 100 * GiB, sru: 0, cru: 3, mru: 4 * GiB } });
  const node1 = (await get<Any>(imported, `/nodes/${n1}`)).body;
  expect(node1.used_resources).toEqual({ hru: 0, sru: 30 * GiB, cru: 3, mru: 3 * GiB });
  expect(node1.num_contracts).toBe(2);
  const node2 = (await get<Any>(imported, `/nodes/${n2}`)).body;
  // The cancelled contract's resources are gone with it (the chain removed them).
  expect(node2.used_resources).toEqual({ hru: 100 * GiB, sru: 0, cru: 3, mru: 4 * GiB });
  expect(node2.num_contracts).toBe(1);
  expect(node2.power).toMatchObject({ state: 'Down', target: 'Up' });
});

test('the imported records are those of an explorer that indexed every event', async () => {
  for (const path of [`/nodes/${n1}`, `/nodes/${n2}`, ...live.map((id) => `/contracts/${id}`), '/twins', '/farms']) {
    const want = (await get(indexed, path)).body;
    const got = (await get(imported, path)).body;
    expect({ path, body: strip(got) }).toEqual({ path, body: strip(want) });
  }
  // The cancelled contract left the chain's storage: the import has no record of it.
  expect((await get(imported, `/contracts/${cancelled}`)).status).toBe(404);
});

/**
 * Drops the fields that say when the explorer saw a record (import time vs event time), not what
 * the chain holds, and a contract's total billed: only bill events carry it (no storage item does),
 * so an import knows the bills after its first block only — whether the chain billed a contract
 * before that block depends on timing.
 */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !/updated|created|since|downAt|seen|total_billed/i.test(k))
        .map(([k, x]) => [k, strip(x)]),
    );
  return v;
}
