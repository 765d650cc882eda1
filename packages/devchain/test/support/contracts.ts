/**
 * Test helpers for SmartContractModule tests: a chain from the dev spec with overrides, a
 * farm with public IPs and a node, deployment hashes, and typed reads of contract storage.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { startDevchain, type Devchain } from '../../src';
import { fund, pairOf, setupFarm, setupNode, setupTwin, type NodeOptions } from './grid';

export const json = (v: unknown): any => (v as { toJSON(): unknown }).toJSON();

/** The dev chain spec with some genesis sections replaced or added. */
export function devSpec(genesis: Record<string, unknown> = {}): any {
  const spec = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../chain-spec/dev.json'), 'utf8'));
  spec.genesis = { ...spec.genesis, ...genesis };
  return spec;
}

export interface TestChain {
  node: Devchain;
  api: ApiPromise;
  provider: WsProvider;
}

export async function startChain(genesis: Record<string, unknown> = {}): Promise<TestChain> {
  const node = await startDevchain({ port: 0, chain: devSpec(genesis) });
  const provider = new WsProvider(node.url);
  const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
  return { node, api, provider };
}

export async function stopChain(c: Partial<TestChain> | undefined): Promise<void> {
  await c?.api?.disconnect();
  await c?.node?.stop();
}

/**
 * The chain of a test file (or a describe block): started from the dev spec with `genesis` before
 * its tests, then `ready` runs on it (the file keeps its api, its accounts, its grid); stopped after them.
 */
export function useChain(ready: (c: TestChain) => unknown = () => undefined, genesis: Record<string, unknown> = {}): void {
  let c: TestChain | undefined;
  beforeAll(async () => {
    c = await startChain(genesis);
    await ready(c);
  });
  afterAll(() => stopChain(c));
}

/** What real clients store as deployment hash: the 32 hex characters of an MD5 digest. */
export const hashOf = (s: string): string => createHash('md5').update(s).digest('hex');

export interface Grid {
  farmer: KeyringPair;
  farmId: number;
  nodePair: KeyringPair;
  nodeId: number;
}

/** A farm (owned by `//<tag>//farmer`) with `ips` public IPs and one node on it. */
export async function setupGrid(api: ApiPromise, tag: string, ips = 0, node: NodeOptions = {}): Promise<Grid> {
  const farmer = pairOf(`//${tag}//farmer`);
  await fund(api, farmer.address);
  const publicIps = Array.from({ length: ips }, (_, i) => ({ ip: `185.206.122.${10 + i}/24`, gw: '185.206.122.1' }));
  const farmId = await setupFarm(api, farmer, `${tag}-farm`, publicIps);
  const nodePair = pairOf(`//${tag}//node`, 'ed25519');
  await fund(api, nodePair.address);
  const nodeId = await setupNode(api, nodePair, farmId, node);
  return { farmer, farmId, nodePair, nodeId };
}

export interface Account {
  pair: KeyringPair;
  twinId: number;
}

/** Accounts `//<tag>//<name>` for `names`: all funded from //Alice first, then each given a twin. */
export async function setupAccounts<N extends string[]>(api: ApiPromise, tag: string, ...names: N): Promise<{ [K in keyof N]: Account }> {
  const pairs = names.map((name) => pairOf(`//${tag}//${name}`));
  for (const pair of pairs) await fund(api, pair.address);
  const accounts: Account[] = [];
  for (const pair of pairs) accounts.push({ pair, twinId: await setupTwin(api, pair) });
  return accounts as { [K in keyof N]: Account };
}

/** A node on an existing farm. */
export async function addNode(
  api: ApiPromise,
  farmId: number,
  uri: string,
  node: NodeOptions = {},
): Promise<{ pair: KeyringPair; id: number }> {
  const pair = pairOf(uri, 'ed25519');
  await fund(api, pair.address);
  return { pair, id: await setupNode(api, pair, farmId, node) };
}

export const contractOf = async (api: ApiPromise, id: number | bigint): Promise<any> =>
  json(await api.query.smartContractModule.contracts(id));
export const lastContractId = async (api: ApiPromise): Promise<number> => json(await api.query.smartContractModule.contractID());
export const freeOf = async (api: ApiPromise, who: string, at?: string): Promise<bigint> => {
  const q = at ? await api.at(at) : api;
  return BigInt(json(await q.query.system.account(who)).data.free);
};
export const accountOf = async (api: ApiPromise, who: string, at?: string): Promise<{ free: bigint; reserved: bigint }> => {
  const q = at ? await api.at(at) : api;
  const d = json(await q.query.system.account(who)).data;
  return { free: BigInt(d.free), reserved: BigInt(d.reserved) };
};

/** Produces `n` blocks 6 s apart (dev_timeTravel), answers the new best number. */
export async function blocks(c: TestChain, n: number): Promise<number> {
  const r = (await c.provider.send('dev_timeTravel', [{ blocks: n }])) as { number: number };
  return r.number;
}

/** The best block number. */
export const best = async (api: ApiPromise): Promise<number> => (await api.rpc.chain.getHeader()).number.toNumber();

/** The names (`section.method`) and data of every event of a block. */
export async function blockEvents(api: ApiPromise, hash: string): Promise<{ name: string; data: any; phase: string }[]> {
  const records = (await (await api.at(hash)).query.system.events()) as unknown as any[];
  return records.map((r) => ({ name: `${r.event.section}.${r.event.method}`, data: json(r.event.data), phase: r.phase.type }));
}

/** Whether contract `id` was billed (ContractBilled or ContractPaymentOverdrawn) in the block `hash`. */
export async function billedIn(api: ApiPromise, hash: string, id: number): Promise<boolean> {
  return (await blockEvents(api, hash)).some(
    (e) =>
      (e.name === 'smartContractModule.ContractBilled' && e.data[0].contractId === id) ||
      (e.name === 'smartContractModule.ContractPaymentOverdrawn' && e.data[0] === id),
  );
}

export type Ev = { name: string; data: any; phase: string };

/** The block's timestamp in seconds. */
export const timestampAt = async (api: ApiPromise, n: number): Promise<bigint> =>
  BigInt(json(await (await api.at(await api.rpc.chain.getBlockHash(n))).query.timestamp.now())) / 1000n;

/** Advances to the next block of contract `id`'s billing slot (`id % BillingFrequency`); answers its number and events. */
export async function nextBill(c: TestChain, id: number): Promise<{ n: number; events: Ev[] }> {
  const freq = Number(json(await c.api.query.smartContractModule.billingFrequency()));
  const now = await best(c.api);
  let k = (id - (now + 1)) % freq;
  if (k < 0) k += freq;
  const n = await blocks(c, k + 1);
  return { n, events: await blockEvents(c.api, (await c.api.rpc.chain.getBlockHash(n)).toHex()) };
}
