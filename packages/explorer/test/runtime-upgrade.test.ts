/**
 * A runtime upgrade mid-run: the explorer follows a dev chain while dev_setRuntime moves
 * TfgridModule, Balances and SmartContractModule to other indices (and raises the spec version).
 * Events of several pallets before and after must land under their own names: in the records
 * (twins, farms, nodes, contracts made on both sides of the upgrade), in the client's event stream
 * that followed the chain through it, and in the decoded blocks the indexer applies, compared with @polkadot/api's own per-block decoding on a connection opened
 * after the upgrade. A second explorer indexing the whole chain afterwards (old blocks with the
 * old metadata) ends with the same records.
 */
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { Devchain } from '@tfgrid/devchain';
import { startChain, until } from '@tfgrid/testkit';
import { ChainError, events, TFT, type ChainEvent, type EventStream, type TfchainClient } from '@tfgrid/client';
import { startExplorer, type Explorer } from '../src';
import { fetchBlock } from '../src/indexer';
import { GiB, finalizedHeight, get, nodeInput, synced, tempDir, twinClient } from './support';

jest.setTimeout(180_000);

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let chain: Devchain;
let alice: TfchainClient;
let farmer: TfchainClient;
let live: Explorer;
const clients: TfchainClient[] = [];
const dirs = [tempDir(), tempDir()];

const BOB_STASH = '5HpG9w8EBLe5XCrbczpwq5TSXvedjrBGCwqxK1iQ7qUsSWFc';

async function devRpc(method: string, params: unknown[]): Promise<Any> {
  const r = await fetch(chain.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await r.json()) as { result?: Any; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result!;
}

const palletIndex = (api: ApiPromise, name: string): number =>
  api.runtimeMetadata.asLatest.pallets.find((p) => p.name.toString() === name)!.index.toNumber();

/** Until every client's API has taken up the new runtime (it signs with the new call indices and spec version). */
async function upgraded(specVersion: number): Promise<void> {
  for (const c of clients)
    await until('the client to take up the new runtime', () => c.api.runtimeVersion.specVersion.toNumber() === specVersion, 60_000, 50);
}

let upgrade: Any;
/** The client's finalized event stream, following the chain through the upgrade. */
let stream: EventStream;
const streamed: ChainEvent[] = [];
let following: Promise<void>;
let before: { farmId: number; nodeId: number; contractId: number };
let after: { farmId: number; nodeId: number; contractId: number };

beforeAll(async () => {
  chain = await startChain();
  alice = await twinClient(chain, '//Alice');
  farmer = await twinClient(chain, '//Bob');
  const node1 = await twinClient(chain, '0x' + '51'.repeat(32), alice, 'ed25519');
  clients.push(alice, farmer, node1);
  live = await startExplorer({ chain: chain.url, db: dirs[0]!.dir, port: 0, pollMs: 100 });
  stream = events(alice.api, { from: 1, pollMs: 100 });
  following = (async () => {
    for await (const e of stream) streamed.push(e);
  })();

  // Before: Balances, TfgridModule and SmartContractModule events under the declared runtime.
  await alice.balances.transfer({ to: BOB_STASH, amount: 2n * TFT });
  const farm1 = await farmer.farms.create({ name: 'before_upgrade' });
  const n1 = await node1.nodes.create(nodeInput(farm1));
  const c1 = await alice.contracts.createNode({ nodeId: n1, hash: 'b'.repeat(32), data: 'before' });
  await node1.contracts.reportResources([{ contractId: c1, used: { hru: 0, sru: 5 * GiB, cru: 1, mru: 1 * GiB } }], { wait: 'finalized' });
  before = { farmId: farm1, nodeId: n1, contractId: c1 };
  await synced(live, alice);

  // The upgrade: three pallets trade places, the spec version rises.
  const api = alice.api;
  const tfgrid = palletIndex(api, 'TfgridModule');
  const balances = palletIndex(api, 'Balances');
  const contracts = palletIndex(api, 'SmartContractModule');
  upgrade = await devRpc('dev_setRuntime', [{ pallets: { TfgridModule: balances, Balances: contracts, SmartContractModule: tfgrid } }]);
  await upgraded(upgrade.specVersion);
  expect(palletIndex(api, 'TfgridModule')).toBe(balances);

  // After: the same kinds of events, now under the moved indices.
  const node2 = await twinClient(chain, '0x' + '52'.repeat(32), alice, 'ed25519');
  clients.push(node2);
  await alice.balances.transfer({ to: BOB_STASH, amount: 3n * TFT });
  const farm2 = await farmer.farms.create({ name: 'after_upgrade' });
  const n2 = await node2.nodes.create(nodeInput(farm2, { serialNumber: 'SN-0002' }));
  const c2 = await alice.contracts.createNode({ nodeId: n2, hash: 'c'.repeat(32), data: 'after' });
  await node2.contracts.reportResources([{ contractId: c2, used: { hru: 0, sru: 7 * GiB, cru: 2, mru: 3 * GiB } }], { wait: 'finalized' });
  after = { farmId: farm2, nodeId: n2, contractId: c2 };
  await synced(live, alice);
});

afterAll(async () => {
  await stream?.close();
  await following;
  await live?.stop();
  for (const c of clients) await c.disconnect();
  await chain?.stop();
  for (const d of dirs) d.remove();
});

test('dev_setRuntime upgrades as a real chain does: :code and CodeUpdated, then LastRuntimeUpgrade', async () => {
  const api = alice.api;
  expect(upgrade.firstBlock.number).toBe(upgrade.codeBlock.number + 1);
  const versionAt = async (hash: string) => (await api.rpc.state.getRuntimeVersion(hash)).specVersion.toNumber();
  const codeParent = (await api.rpc.chain.getBlockHash(upgrade.codeBlock.number - 1)).toHex();
  expect(await versionAt(codeParent)).toBe(upgrade.specVersion - 1);
  // The block that set :code already holds it; the runtime that executed it was the old one.
  expect(await versionAt(upgrade.codeBlock.hash)).toBe(upgrade.specVersion);
  const lastUpgrade = async (hash: string) => ((await api.query.system.lastRuntimeUpgrade.at(hash)).toJSON() as Any).specVersion;
  expect(await lastUpgrade(upgrade.codeBlock.hash)).toBe(upgrade.specVersion - 1);
  expect(await lastUpgrade(upgrade.firstBlock.hash)).toBe(upgrade.specVersion);
  const codeEvents = (await fetchBlock(api, upgrade.codeBlock.number)).events.map((e) => e.name);
  expect(codeEvents).toContain('System.CodeUpdated');
  // The metadata served at a block is the runtime of that block's state.
  const pallets = async (hash: string) =>
    new Map((await api.rpc.state.getMetadata(hash)).asLatest.pallets.map((p) => [p.name.toString(), p.index.toNumber()]));
  expect((await pallets(codeParent)).get('TfgridModule')).toBe(upgrade.pallets.SmartContractModule);
  expect((await pallets(upgrade.firstBlock.hash)).get('TfgridModule')).toBe(upgrade.pallets.TfgridModule);
});

test('a call failing after the upgrade names the moved pallet', async () => {
  const err = await farmer.farms.create({ name: 'before_upgrade' }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChainError);
  expect((err as ChainError).pallet).toBe('TfgridModule');
});

test('every event of every block is decoded under the name its own runtime gives it', async () => {
  // The reference: @polkadot/api on a connection opened after the upgrade, decoding each block
  // through api.at (its registry for the block's runtime version).
  const reference = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
  try {
    const head = await finalizedHeight(alice);
    const seen = new Set<string>();
    for (let n = 1; n <= head; n++) {
      const hash = (await reference.rpc.chain.getBlockHash(n)).toHex();
      const at = await reference.at(hash);
      const expected = ((await at.query.system.events()) as unknown as { event: { section: string; method: string } }[]).map((r) => {
        const pallet = at.registry.metadata.pallets.find((p) => p.name.toString().toLowerCase() === r.event.section.toLowerCase());
        return `${pallet?.name.toString() ?? r.event.section}.${r.event.method}`;
      });
      // Decoded on the connection that lived through the upgrade: by the stream that followed it,
      // and as the explorer's indexer fetches a block.
      await until(`the stream to reach block ${head}`, () => streamed.some((e) => e.blockNumber >= head), 60_000, 50);
      const got = streamed.filter((e) => e.blockNumber === n).map((e) => e.name);
      expect({ block: n, events: got }).toEqual({ block: n, events: expected });
      expect({ block: n, events: (await fetchBlock(alice.api, n)).events.map((e) => e.name) }).toEqual({ block: n, events: expected });
      for (const name of got) seen.add(name);
    }
    for (const name of [
      'Balances.Transfer',
      'TfgridModule.FarmStored',
      'TfgridModule.NodeStored',
      'SmartContractModule.ContractCreated',
      'SmartContractModule.UpdatedUsedResources',
      'System.CodeUpdated',
    ]) {
      expect(seen).toContain(name);
    }
  } finally {
    await reference.disconnect();
  }
});

/** What the explorer holds about the farms, nodes and contracts of both sides of the upgrade. */
async function records(explorer: Explorer): Promise<Any> {
  const out: Any = {};
  for (const side of [before, after]) {
    out[side.farmId] = {
      farm: (await get<Any>(explorer, `/farms/${side.farmId}`)).body,
      node: (await get<Any>(explorer, `/nodes/${side.nodeId}`)).body,
      contract: (await get<Any>(explorer, `/contracts/${side.contractId}`)).body,
    };
  }
  out.twins = (await get<Any[]>(explorer, '/twins')).body.map((t) => t.accountId);
  return out;
}

test('the records of events before and after the upgrade are all there, the same when indexed afterwards from block 1', async () => {
  const got = await records(live);
  expect(got[before.farmId].farm).toMatchObject({ name: 'before_upgrade' });
  expect(got[after.farmId].farm).toMatchObject({ name: 'after_upgrade' });
  expect(got[after.farmId].node).toMatchObject({ farmId: after.farmId, used_resources: { hru: 0, sru: 7 * GiB, cru: 2, mru: 3 * GiB } });
  expect(got[before.farmId].node).toMatchObject({ farmId: before.farmId, used_resources: { hru: 0, sru: 5 * GiB, cru: 1, mru: 1 * GiB } });
  expect(got[after.farmId].contract).toMatchObject({
    contract_id: after.contractId,
    state: 'Created',
    resources_used: { sru: 7 * GiB, cru: 2 },
  });
  expect(got.twins).toHaveLength(4);
  expect(live.indexer.status().lastError).toBeNull();

  const late = await startExplorer({ chain: chain.url, db: dirs[1]!.dir, port: 0, pollMs: 100 });
  try {
    await synced(late, alice);
    const replayed = await records(late);
    // Fields that say when the explorer saw a record, not what the chain holds, may differ.
    expect(strip(replayed)).toEqual(strip(got));
  } finally {
    await late.stop();
  }
});

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !/updated|seen|uptime|status|healthy/i.test(k))
        .map(([k, x]) => [k, strip(x)]),
    );
  return v;
}
