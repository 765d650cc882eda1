// The RPC method handlers (createRpcTable) over a small fake chain, through the real
// dispatcher and session; and the in-process provider under an unmodified @polkadot/api.

import { ApiPromise } from '@polkadot/api';
import type { ProviderInterface } from '@polkadot/rpc-provider/types';
import type { Codec } from '@polkadot/types/types';
import staticMetadata from '@polkadot/types-support/metadata/static-substrate';
import { compactAddLength, hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsHex, xxhashAsHex } from '@polkadot/util-crypto';
import pino from 'pino';
import {
  ChainError,
  type ChainApi,
  type ChainEvents,
  type HeaderJson,
  type RuntimeChange,
  type RuntimeUpgradeResult,
  type RuntimeVersionJson,
  type SignedBlockJson,
  type TxStatus,
} from '../src/chain';
import { RpcDispatcher, RpcError, RpcSession, createInProcessProvider, type Hex, type RpcTable } from '../src/rpc';
import { createRpcTable } from '../src/rpc/methods';

type Json = any; // JSON from the wire, asserted field by field

const log = pino({ level: 'silent' });
const NODE = { name: 'tfchain-devchain', version: '2.9.0-test' };
const ALICE = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const BAD_TX = '0xdead' as Hex;
const METADATA_API = blake2AsHex('Metadata', 64);

interface FakeBlock {
  hash: Hex;
  header: HeaderJson;
  extrinsics: Hex[];
  storage: Map<Hex, Hex>;
}

/** Blocks are storage snapshots; every block is best at once, finalized on finalize(). */
class FakeChain implements ChainApi {
  readonly name = 'TFChain Dev';
  readonly chainType = 'Development' as const;
  readonly properties = { ss58Format: 42, tokenDecimals: 7, tokenSymbol: 'TFT' };
  readonly blocks: FakeBlock[] = [];
  readonly calls: Array<{ method: string; data: Hex; at?: Hex }> = [];
  readonly nonceQueries: string[] = [];
  version: RuntimeVersionJson = {
    specName: 'substrate',
    implName: 'tfchain-devchain',
    authoringVersion: 1,
    specVersion: 268,
    implVersion: 0,
    apis: [[METADATA_API, 2]],
    transactionVersion: 2,
    stateVersion: 1,
  };
  pending: Hex[] = [];
  finalizedIndex = 0;
  /** width of the runtime's Balance in FeeDetails: u64 or u128 */
  balanceBytes: 8 | 16 = 8;
  readonly #listeners: { [E in keyof ChainEvents]: Set<ChainEvents[E]> } = { newHead: new Set(), finalized: new Set() };
  readonly #watchers = new Map<Hex, (s: TxStatus) => void>();

  constructor(genesis: Array<[Hex, Hex]> = []) {
    this.#push(new Map(genesis), []);
  }

  get genesisHash(): Hex {
    return this.blocks[0]!.hash;
  }
  bestNumber(): number {
    return this.blocks.length - 1;
  }
  bestHash(): Hex {
    return this.blocks[this.blocks.length - 1]!.hash;
  }
  finalizedHash(): Hex {
    return this.blocks[this.finalizedIndex]!.hash;
  }
  finalizedNumber(): number {
    return this.finalizedIndex;
  }
  async blockHash(n?: number): Promise<Hex | null> {
    return n === undefined ? this.bestHash() : (this.blocks[n]?.hash ?? null);
  }
  async header(hash?: Hex): Promise<HeaderJson | null> {
    return this.#find(hash ?? this.bestHash())?.header ?? null;
  }
  async block(hash?: Hex): Promise<SignedBlockJson | null> {
    const b = this.#find(hash ?? this.bestHash());
    return b ? { block: { header: b.header, extrinsics: b.extrinsics }, justifications: null } : null;
  }
  async runtimeVersion(): Promise<RuntimeVersionJson> {
    return this.version;
  }
  async metadata(): Promise<Hex> {
    return staticMetadata as Hex;
  }
  async storage(key: Hex, at?: Hex): Promise<Hex | null> {
    return this.#at(at).storage.get(key) ?? null;
  }
  async storageKeys(prefix: Hex, at?: Hex, count?: number, startKey?: Hex): Promise<Hex[]> {
    const keys = [...this.#at(at).storage.keys()].filter((k) => k.startsWith(prefix) && (!startKey || k > startKey)).sort();
    return count === undefined ? keys : keys.slice(0, count);
  }
  async call(method: string, data: Hex, at?: Hex): Promise<Hex> {
    this.#at(at);
    this.calls.push({ method, data, at });
    if (method === 'Metadata_metadata_versions') return '0x040e000000'; // Vec<u32> [14]
    if (method === 'Metadata_metadata_at_version') return u8aToHex(new Uint8Array([1, ...compactAddLength(hexToU8a(staticMetadata))]));
    if (method === 'TransactionPaymentApi_query_fee_details') {
      // Some(InclusionFee { base: 1000, len: 250, adjusted_weight: 12345 }), tip 0
      const enc = this.balanceBytes === 8 ? le64 : (n: number) => le64(n) + '00'.repeat(8);
      return `0x01${enc(1000)}${enc(250)}${enc(12345)}${enc(0)}`;
    }
    throw new RpcError(4003, `Client error: Execution failed: unknown runtime api ${method}`);
  }
  async accountNextIndex(address: string): Promise<number> {
    this.nonceQueries.push(address);
    return 5;
  }
  async submit(extrinsic: Hex): Promise<Hex> {
    if (extrinsic === BAD_TX) throw new RpcError(1010, 'Invalid Transaction', 'Inability to pay some fees , e.g. account balance too low');
    this.pending.push(extrinsic);
    return blake2AsHex(extrinsic);
  }
  async submitAndWatch(extrinsic: Hex, onStatus: (s: TxStatus) => void): Promise<{ hash: Hex; unwatch(): void }> {
    const hash = await this.submit(extrinsic);
    onStatus('ready');
    this.#watchers.set(extrinsic, onStatus);
    return { hash, unwatch: () => this.#watchers.delete(extrinsic) };
  }
  pendingExtrinsics(): Hex[] {
    return [...this.pending];
  }
  async queryInfo(extrinsic: Hex, at?: Hex): Promise<unknown> {
    this.#at(at);
    return { weight: { refTime: 1000, proofSize: 0 }, class: 'normal', partialFee: String(extrinsic.length * 10) };
  }
  on<E extends keyof ChainEvents>(event: E, listener: ChainEvents[E]): () => void {
    const set = this.#listeners[event] as Set<ChainEvents[E]>;
    set.add(listener);
    return () => set.delete(listener);
  }
  listenerCount(): number {
    return this.#listeners.newHead.size + this.#listeners.finalized.size;
  }
  async newBlock(opts: { count?: number } = {}): Promise<Hex> {
    for (let i = 0; i < (opts.count ?? 1); i++) this.build([]);
    return this.bestHash();
  }
  async setStorage(changes: [Hex, Hex | null][]): Promise<Hex> {
    return this.build(changes);
  }
  async timeTravel(to: number | string | { blocks?: number; seconds?: number }): Promise<{ number: number; timestamp: number }> {
    return { number: this.bestNumber(), timestamp: typeof to === 'number' ? to : 0 };
  }
  async setRuntime(change: RuntimeChange): Promise<RuntimeUpgradeResult> {
    const code = { number: this.bestNumber(), hash: this.bestHash() };
    return {
      specVersion: change.specVersion ?? this.version.specVersion + 1,
      pallets: change.pallets ?? {},
      codeBlock: code,
      firstBlock: code,
    };
  }

  /** A new best block with these storage changes, including the pool; not finalized. */
  build(changes: Array<[Hex, Hex | null]>): Hex {
    const storage = new Map(this.blocks[this.blocks.length - 1]!.storage);
    for (const [k, v] of changes) {
      if (v === null) storage.delete(k);
      else storage.set(k, v);
    }
    const extrinsics = this.pending;
    this.pending = [];
    const b = this.#push(storage, extrinsics);
    for (const ext of extrinsics) this.#watchers.get(ext)?.({ inBlock: b.hash });
    for (const fn of this.#listeners.newHead) fn(b.header, b.hash);
    return b.hash;
  }

  finalize(): void {
    this.finalizedIndex = this.blocks.length - 1;
    const b = this.blocks[this.finalizedIndex]!;
    for (const ext of b.extrinsics) this.#watchers.get(ext)?.({ finalized: b.hash });
    for (const fn of this.#listeners.finalized) fn(b.header, b.hash);
  }

  #push(storage: Map<Hex, Hex>, extrinsics: Hex[]): FakeBlock {
    const n = this.blocks.length;
    const parentHash = n === 0 ? (`0x${'00'.repeat(32)}` as Hex) : this.blocks[n - 1]!.hash;
    const hash = blake2AsHex(`fake-block-${n}`);
    const header: HeaderJson = {
      parentHash,
      number: `0x${n.toString(16)}`,
      stateRoot: blake2AsHex(`state-${n}`),
      extrinsicsRoot: blake2AsHex(`ext-${n}`),
      digest: { logs: [] },
    };
    const b = { hash, header, extrinsics, storage };
    this.blocks.push(b);
    return b;
  }
  #find(hash: Hex): FakeBlock | undefined {
    return this.blocks.find((b) => b.hash === hash);
  }
  #at(at: Hex | undefined): FakeBlock {
    const b = at === undefined ? this.blocks[this.blocks.length - 1]! : this.#find(at);
    if (!b) throw new ChainError('UnknownBlock', `Header was not found in the database: ${at}`);
    return b;
  }
}

function le64(n: number): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b.toString('hex');
}

const KEY_A = '0xaa01' as Hex;
const KEY_B = '0xaa02' as Hex;
const KEY_C = '0xbb01' as Hex;
const OTHER = '0xcc' as Hex;

function setup(genesis: Array<[Hex, Hex]> = []): { chain: FakeChain; table: RpcTable; dispatcher: RpcDispatcher } {
  const chain = new FakeChain(genesis);
  const table = createRpcTable(chain, NODE, { devMethods: true });
  return { chain, table, dispatcher: new RpcDispatcher(table, log) };
}

async function rpc(dispatcher: RpcDispatcher, method: string, params: unknown[] = []): Promise<Json> {
  const { reply } = await dispatcher.handleMessage(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }));
  return JSON.parse(reply!);
}

async function ok(dispatcher: RpcDispatcher, method: string, params: unknown[] = []): Promise<Json> {
  const reply = await rpc(dispatcher, method, params);
  if (reply.error) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
  return reply.result;
}

async function fail(
  dispatcher: RpcDispatcher,
  method: string,
  params: unknown[] = [],
): Promise<{ code: number; message: string; data?: unknown }> {
  const reply = await rpc(dispatcher, method, params);
  if (!reply.error) throw new Error(`${method} succeeded with ${JSON.stringify(reply.result)}`);
  return reply.error;
}

/** A subscription-capable connection keeping every message in order. */
class Conn {
  readonly messages: Json[] = [];
  readonly session: RpcSession;
  #id = 1;
  constructor(dispatcher: RpcDispatcher) {
    this.session = new RpcSession(dispatcher, (text) => this.messages.push(JSON.parse(text)), log);
  }
  async call(method: string, params: unknown[] = []): Promise<Json> {
    const id = this.#id++;
    await this.session.handle(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.messages.find((m) => m.id === id);
  }
  async subscribe(method: string, params: unknown[] = []): Promise<string> {
    const reply = await this.call(method, params);
    if (reply.error) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
    return reply.result;
  }
  notifications(id: string, method?: string): Json[] {
    return this.messages.filter((m) => m.params?.subscription === id && (!method || m.method === method)).map((m) => m.params.result);
  }
}

/** Lets async notification work (storage reads after a new head) finish. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

/** Waits until `done()` holds (for work scheduled by @polkadot/api's own observables). */
async function eventually(done: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the table', () => {
  it('lists every method and alias in rpc_methods, and nothing that is not a wire method', async () => {
    const { dispatcher } = setup();
    const { methods } = await ok(dispatcher, 'rpc_methods');
    const expected = [
      'account_nextIndex',
      'system_accountNextIndex',
      'system_chainType',
      'system_syncState',
      'system_localPeerId',
      'chain_getBlockHash',
      'chain_getHead',
      'chain_getFinalizedHead',
      'chain_getFinalisedHead',
      'chain_subscribeNewHeads',
      'chain_subscribeNewHead',
      'subscribe_newHead',
      'chain_unsubscribeNewHeads',
      'chain_unsubscribeNewHead',
      'unsubscribe_newHead',
      'chain_subscribeAllHeads',
      'chain_unsubscribeAllHeads',
      'chain_subscribeFinalizedHeads',
      'chain_subscribeFinalisedHeads',
      'chain_unsubscribeFinalizedHeads',
      'chain_unsubscribeFinalisedHeads',
      'state_getRuntimeVersion',
      'chain_getRuntimeVersion',
      'state_subscribeRuntimeVersion',
      'chain_subscribeRuntimeVersion',
      'state_unsubscribeRuntimeVersion',
      'chain_unsubscribeRuntimeVersion',
      'state_getStorage',
      'state_getStorageAt',
      'state_getStorageHash',
      'state_getStorageSize',
      'state_getKeysPaged',
      'state_getKeysPagedAt',
      'state_queryStorage',
      'state_queryStorageAt',
      'state_subscribeStorage',
      'state_unsubscribeStorage',
      'state_call',
      'state_callAt',
      'author_submitExtrinsic',
      'author_submitAndWatchExtrinsic',
      'author_unwatchExtrinsic',
      'author_pendingExtrinsics',
      'payment_queryInfo',
      'payment_queryFeeDetails',
      'dev_newBlock',
      'dev_setRuntime',
      'dev_setStorage',
      'dev_timeTravel',
      'rpc_methods',
    ];
    expect(methods).toEqual(expect.arrayContaining(expected));
    for (const name of methods) expect(name).toMatch(/^[a-z]+_[a-zA-Z]+$/);
    expect([...methods].sort()).toEqual(methods);
  });

  it('serves an alias with the handler of its method', async () => {
    const { dispatcher, chain } = setup();
    await chain.newBlock({ count: 2 });
    expect(await ok(dispatcher, 'chain_getHead', [1])).toBe(chain.blocks[1]!.hash);
    expect(await ok(dispatcher, 'chain_getFinalisedHead')).toBe(chain.genesisHash);
    expect(await ok(dispatcher, 'chain_getRuntimeVersion')).toEqual(chain.version);
  });
});

describe('system', () => {
  it('answers as a lone development authority', async () => {
    const { dispatcher, chain } = setup();
    await chain.newBlock({ count: 3 });
    expect(await ok(dispatcher, 'system_name')).toBe('tfchain-devchain');
    expect(await ok(dispatcher, 'system_version')).toBe('2.9.0-test');
    expect(await ok(dispatcher, 'system_chain')).toBe('TFChain Dev');
    expect(await ok(dispatcher, 'system_chainType')).toBe('Development');
    expect(await ok(dispatcher, 'system_properties')).toEqual({ ss58Format: 42, tokenDecimals: 7, tokenSymbol: 'TFT' });
    expect(await ok(dispatcher, 'system_health')).toEqual({ peers: 0, isSyncing: false, shouldHavePeers: false });
    expect(await ok(dispatcher, 'system_syncState')).toEqual({ startingBlock: 0, currentBlock: 3, highestBlock: 3 });
    expect(await ok(dispatcher, 'system_nodeRoles')).toEqual(['Authority']);
    expect(await ok(dispatcher, 'system_peers')).toEqual([]);
    expect(await ok(dispatcher, 'system_localListenAddresses')).toEqual([]);
    const peerId = await ok(dispatcher, 'system_localPeerId');
    expect(peerId).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]{44}$/);
    expect(await ok(dispatcher, 'system_localPeerId')).toBe(peerId);
  });

  it('gives the next nonce of an SS58 account and refuses a bad address', async () => {
    const { dispatcher, chain } = setup();
    expect(await ok(dispatcher, 'system_accountNextIndex', [ALICE])).toBe(5);
    expect(await ok(dispatcher, 'account_nextIndex', [ALICE])).toBe(5);
    expect(chain.nonceQueries).toEqual([ALICE, ALICE]);
    const bad = await fail(dispatcher, 'system_accountNextIndex', [ALICE.slice(0, -1) + 'Z']);
    expect(bad.code).toBe(-32602);
    expect(bad.message).toMatch(/account is not a valid SS58 address/);
    expect((await fail(dispatcher, 'system_accountNextIndex', [])).message).toBe('Invalid params: missing account (param 0)');
    expect(chain.nonceQueries).toHaveLength(2);
  });
});

describe('chain', () => {
  it('chain_getBlockHash takes nothing, a number, hex, or a list', async () => {
    const { dispatcher, chain } = setup();
    await chain.newBlock({ count: 3 });
    const h = chain.blocks.map((b) => b.hash);
    expect(await ok(dispatcher, 'chain_getBlockHash')).toBe(h[3]);
    expect(await ok(dispatcher, 'chain_getBlockHash', [null])).toBe(h[3]);
    expect(await ok(dispatcher, 'chain_getBlockHash', [0])).toBe(h[0]);
    expect(await ok(dispatcher, 'chain_getBlockHash', ['0x2'])).toBe(h[2]);
    expect(await ok(dispatcher, 'chain_getBlockHash', [99])).toBeNull();
    expect(await ok(dispatcher, 'chain_getBlockHash', [[0, '0x3', 99, 1]])).toEqual([h[0], h[3], null, h[1]]);
    expect(await ok(dispatcher, 'chain_getBlockHash', [[]])).toEqual([]);
  });

  it('chain_getBlockHash validates every number first', async () => {
    const { dispatcher } = setup();
    const inList = await fail(dispatcher, 'chain_getBlockHash', [[0, 'one']]);
    expect(inList).toEqual({ code: -32602, message: 'Invalid params: blockNumber[1] must be a number or 0x-prefixed hex' });
    expect((await fail(dispatcher, 'chain_getBlockHash', [-1])).code).toBe(-32602);
    expect((await fail(dispatcher, 'chain_getBlockHash', [1.5])).code).toBe(-32602);
    const tooBig = await fail(dispatcher, 'chain_getBlockHash', [2 ** 32]);
    expect(tooBig).toEqual({ code: 3001, message: '`Number(4294967296)` > u32::MAX, the max block number is u32.' });
  });

  it('chain_getHeader and chain_getBlock answer null for an unknown hash and refuse a malformed one', async () => {
    const { dispatcher, chain } = setup();
    await chain.newBlock();
    expect(await ok(dispatcher, 'chain_getHeader')).toEqual(chain.blocks[1]!.header);
    expect(await ok(dispatcher, 'chain_getHeader', [chain.genesisHash])).toEqual(chain.blocks[0]!.header);
    expect((await ok(dispatcher, 'chain_getBlock', [chain.blocks[1]!.hash])).block.header.number).toBe('0x1');
    expect(await ok(dispatcher, 'chain_getHeader', [`0x${'ab'.repeat(32)}`])).toBeNull();
    expect(await ok(dispatcher, 'chain_getBlock', [`0x${'ab'.repeat(32)}`])).toBeNull();
    const short = await fail(dispatcher, 'chain_getHeader', ['0xabcd']);
    expect(short).toEqual({ code: -32602, message: 'Invalid params: hash must be 32 bytes, got 2' });
  });

  it('new-head subscriptions send the current head right after the id, then each new head', async () => {
    const { dispatcher, chain } = setup();
    await chain.newBlock();
    const conn = new Conn(dispatcher);
    const replyAt = conn.messages.length;
    const id = await conn.subscribe('chain_subscribeNewHeads');
    expect(conn.messages[replyAt].id).toBe(1); // the id reply precedes the first notification
    expect(conn.notifications(id, 'chain_newHead')).toEqual([chain.blocks[1]!.header]);

    chain.build([]);
    chain.build([]);
    await settle();
    expect(conn.notifications(id).map((h) => h.number)).toEqual(['0x1', '0x2', '0x3']);

    expect((await conn.call('chain_unsubscribeNewHead', [id])).result).toBe(true);
    chain.build([]);
    await settle();
    expect(conn.notifications(id)).toHaveLength(3);
    expect(chain.listenerCount()).toBe(0);
  });

  it('serves the legacy names and all heads with their own notification and unsubscribe names', async () => {
    const { dispatcher, chain } = setup();
    const conn = new Conn(dispatcher);
    const legacy = await conn.subscribe('subscribe_newHead');
    const all = await conn.subscribe('chain_subscribeAllHeads');
    chain.build([]);
    await settle();
    expect(conn.notifications(legacy, 'chain_newHead').map((h) => h.number)).toEqual(['0x0', '0x1']);
    expect(conn.notifications(all, 'chain_allHead').map((h) => h.number)).toEqual(['0x0', '0x1']);
    // an unsubscribe name of another kind does not cancel it
    expect((await conn.call('chain_unsubscribeNewHeads', [all])).result).toBe(false);
    expect((await conn.call('chain_unsubscribeAllHeads', [all])).result).toBe(true);
    expect((await conn.call('unsubscribe_newHead', [legacy])).result).toBe(true);
  });

  it('finalized-head subscriptions start at the finalized head and follow finality, not import', async () => {
    const { dispatcher, chain } = setup();
    chain.build([]);
    const conn = new Conn(dispatcher);
    const id = await conn.subscribe('chain_subscribeFinalisedHeads');
    expect(conn.notifications(id, 'chain_finalizedHead').map((h) => h.number)).toEqual(['0x0']);
    chain.build([]);
    await settle();
    expect(conn.notifications(id)).toHaveLength(1);
    chain.finalize();
    await settle();
    expect(conn.notifications(id).map((h) => h.number)).toEqual(['0x0', '0x2']);
    expect((await conn.call('chain_unsubscribeFinalisedHeads', [id])).result).toBe(true);
  });
});

describe('state', () => {
  it('reads storage, its hash and size, and keys at a block', async () => {
    const { dispatcher, chain } = setup([
      [KEY_A, '0x0102'],
      [KEY_B, '0x030405'],
      [KEY_C, '0x06'],
    ]);
    chain.build([[KEY_A, '0x09']]);
    expect(await ok(dispatcher, 'state_getStorage', [KEY_A])).toBe('0x09');
    expect(await ok(dispatcher, 'state_getStorageAt', [KEY_A, chain.genesisHash])).toBe('0x0102');
    expect(await ok(dispatcher, 'state_getStorage', ['0xAA01', chain.genesisHash])).toBe('0x0102');
    expect(await ok(dispatcher, 'state_getStorage', [OTHER])).toBeNull();
    expect(await ok(dispatcher, 'state_getStorageHash', [KEY_B])).toBe(blake2AsHex('0x030405', 256));
    expect(await ok(dispatcher, 'state_getStorageHash', [OTHER])).toBeNull();
    expect(await ok(dispatcher, 'state_getStorageSize', [KEY_B])).toBe(3);
    expect(await ok(dispatcher, 'state_getStorageSize', ['0xaa'])).toBe(4); // a prefix: 1 + 3 bytes
    expect(await ok(dispatcher, 'state_getStorageSize', [OTHER])).toBeNull();
    expect(await ok(dispatcher, 'state_getKeys', ['0xaa'])).toEqual([KEY_A, KEY_B]);
    expect(await ok(dispatcher, 'state_getPairs', ['0xaa', chain.genesisHash])).toEqual([
      [KEY_A, '0x0102'],
      [KEY_B, '0x030405'],
    ]);
  });

  it("answers Substrate's client error for a block it does not hold", async () => {
    const { dispatcher } = setup([[KEY_A, '0x01']]);
    const unknown = `0x${'ef'.repeat(32)}`;
    for (const [method, params] of [
      ['state_getStorage', [KEY_A, unknown]],
      ['state_getKeysPaged', ['0x', 10, null, unknown]],
      ['state_getMetadata', [unknown]],
      ['state_getRuntimeVersion', [unknown]],
      ['state_call', ['Core_version', '0x', unknown]],
    ] as const) {
      const err = await fail(dispatcher, method, [...params]);
      expect(err.code).toBe(4003);
      expect(err.message).toBe(`Client error: UnknownBlock: Header was not found in the database: ${unknown}`);
    }
    expect((await fail(dispatcher, 'state_getStorage', [KEY_A, '0x1234'])).code).toBe(-32602);
    expect((await fail(dispatcher, 'state_getStorage', ['0xabc'])).message).toBe(
      'Invalid params: key must be 0x-prefixed hex of even length',
    );
  });

  it('state_getKeysPaged pages after startKey and refuses a count above 1000', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => `0xaa0${i}` as Hex);
    const { dispatcher } = setup([...keys.map((k): [Hex, Hex] => [k, '0x00']), [KEY_C, '0x00']]);
    expect(await ok(dispatcher, 'state_getKeysPaged', ['0xaa', 2])).toEqual(keys.slice(0, 2));
    expect(await ok(dispatcher, 'state_getKeysPaged', ['0xaa', 2, keys[1]])).toEqual(keys.slice(2, 4));
    expect(await ok(dispatcher, 'state_getKeysPagedAt', ['0xaa', 10, keys[3]])).toEqual([keys[4]]);
    expect(await ok(dispatcher, 'state_getKeysPaged', [null, 100])).toEqual([...keys, KEY_C]);
    expect(await ok(dispatcher, 'state_getKeysPaged', ['0xaa', 0])).toEqual([]);
    expect(await ok(dispatcher, 'state_getKeysPaged', ['0xaa', 1000])).toHaveLength(5);
    expect(await fail(dispatcher, 'state_getKeysPaged', ['0xaa', 1001])).toEqual({
      code: 4002,
      message: 'count exceeds maximum value. value: 1001, max: 1000',
    });
    expect(await fail(dispatcher, 'state_getKeysPaged', ['0xaa'])).toEqual({
      code: -32602,
      message: 'Invalid params: missing count (param 1)',
    });
  });

  it('state_queryStorage lists the first block with every key, then only blocks where a key changed', async () => {
    const { dispatcher, chain } = setup([[KEY_A, '0x01']]);
    const h1 = chain.build([[OTHER, '0xff']]); // no watched key changes
    const h2 = chain.build([[KEY_A, '0x02']]);
    const h3 = chain.build([[KEY_B, '0x10']]);
    const h4 = chain.build([[KEY_A, '0x02']]); // same value again: no change
    const h5 = chain.build([[KEY_A, null]]);
    const g = chain.genesisHash;

    expect(await ok(dispatcher, 'state_queryStorage', [[KEY_A, KEY_B], g, h5])).toEqual([
      {
        block: g,
        changes: [
          [KEY_A, '0x01'],
          [KEY_B, null],
        ],
      },
      { block: h2, changes: [[KEY_A, '0x02']] },
      { block: h3, changes: [[KEY_B, '0x10']] },
      { block: h5, changes: [[KEY_A, null]] },
    ]);
    expect(await ok(dispatcher, 'state_queryStorage', [[KEY_A], h1, h4])).toEqual([
      { block: h1, changes: [[KEY_A, '0x01']] },
      { block: h2, changes: [[KEY_A, '0x02']] },
    ]);
    // toBlock defaults to best; one block ranges work
    expect(await ok(dispatcher, 'state_queryStorage', [[KEY_B], h4])).toEqual([{ block: h4, changes: [[KEY_B, '0x10']] }]);
    expect(await ok(dispatcher, 'state_queryStorage', [[], g, h5])).toEqual([]);

    const reversed = await fail(dispatcher, 'state_queryStorage', [[KEY_A], h3, h1]);
    expect(reversed.code).toBe(4001);
    expect(reversed.message).toBe(`Cannot resolve a block range ['3 (${h3})' ... '1 (${h1})]. from number > to number`);
    const unknown = `0x${'ef'.repeat(32)}`;
    const missing = await fail(dispatcher, 'state_queryStorage', [[KEY_A], unknown, h1]);
    expect(missing.code).toBe(4001);
    expect(missing.message).toContain(`UnknownBlock: Header was not found in the database: ${unknown}`);
    expect((await fail(dispatcher, 'state_queryStorage', [KEY_A, g])).message).toBe('Invalid params: keys must be an array');
  });

  it('state_queryStorageAt gives every key at one block', async () => {
    const { dispatcher, chain } = setup([[KEY_A, '0x01']]);
    const h1 = chain.build([[KEY_A, '0x02']]);
    expect(await ok(dispatcher, 'state_queryStorageAt', [[KEY_A, KEY_B], chain.genesisHash])).toEqual([
      {
        block: chain.genesisHash,
        changes: [
          [KEY_A, '0x01'],
          [KEY_B, null],
        ],
      },
    ]);
    expect(await ok(dispatcher, 'state_queryStorageAt', [[KEY_A]])).toEqual([{ block: h1, changes: [[KEY_A, '0x02']] }]);
    expect(await ok(dispatcher, 'state_queryStorageAt', [[]])).toEqual([]);
  });

  it('state_subscribeStorage sends the current values at once, then only changes of watched keys', async () => {
    const { dispatcher, chain } = setup([[KEY_A, '0x01']]);
    const conn = new Conn(dispatcher);
    const id = await conn.subscribe('state_subscribeStorage', [[KEY_A, KEY_B]]);
    expect(conn.notifications(id, 'state_storage')).toEqual([
      {
        block: chain.genesisHash,
        changes: [
          [KEY_A, '0x01'],
          [KEY_B, null],
        ],
      },
    ]);

    chain.build([[OTHER, '0x01']]);
    chain.build([[KEY_A, '0x01']]); // rewritten with the same value
    await settle();
    expect(conn.notifications(id)).toHaveLength(1);

    const h3 = chain.build([[KEY_B, '0x22']]);
    const h4 = chain.build([
      [KEY_A, null],
      [KEY_B, '0x23'],
    ]);
    await settle();
    expect(conn.notifications(id).slice(1)).toEqual([
      { block: h3, changes: [[KEY_B, '0x22']] },
      {
        block: h4,
        changes: [
          [KEY_A, null],
          [KEY_B, '0x23'],
        ],
      },
    ]);

    expect((await conn.call('state_unsubscribeStorage', [id])).result).toBe(true);
    chain.build([[KEY_A, '0x05']]);
    await settle();
    expect(conn.notifications(id)).toHaveLength(3);
  });

  it('state_subscribeStorage refuses to watch all storage', async () => {
    const { dispatcher, chain } = setup();
    const conn = new Conn(dispatcher);
    const reply = await conn.call('state_subscribeStorage', []);
    expect(reply.error.code).toBe(-32602);
    expect(reply.error.message).toMatch(/needs the list of keys/);
    expect((await conn.call('state_subscribeStorage', [[KEY_A, 'nothex']])).error.message).toBe(
      'Invalid params: keys[1] must be 0x-prefixed hex of even length',
    );
    expect(conn.session.subscriptionCount).toBe(0);
    expect(chain.listenerCount()).toBe(0);
  });

  it('the runtime version subscription sends the version at once and again only when it changes', async () => {
    const { dispatcher, chain } = setup();
    const conn = new Conn(dispatcher);
    const id = await conn.subscribe('chain_subscribeRuntimeVersion');
    chain.build([]);
    chain.version = { ...chain.version, specVersion: 269 };
    chain.build([]);
    chain.build([]);
    await settle();
    expect(conn.notifications(id, 'state_runtimeVersion').map((v) => v.specVersion)).toEqual([268, 269]);
    expect((await conn.call('chain_unsubscribeRuntimeVersion', [id])).result).toBe(true);
  });

  it('state_call passes the method, data and block to the runtime', async () => {
    const { dispatcher, chain } = setup();
    expect(await ok(dispatcher, 'state_callAt', ['Metadata_metadata_versions', '0x', chain.genesisHash])).toBe('0x040e000000');
    expect(chain.calls).toEqual([{ method: 'Metadata_metadata_versions', data: '0x', at: chain.genesisHash }]);
    expect(await fail(dispatcher, 'state_call', ['Nope_nope', '0x'])).toEqual({
      code: 4003,
      message: 'Client error: Execution failed: unknown runtime api Nope_nope',
    });
    expect((await fail(dispatcher, 'state_call', [42, '0x'])).message).toBe('Invalid params: method must be a string');
  });
});

describe('author and payment', () => {
  it("submits, passes the pool's rejection through untouched, and lists pending extrinsics", async () => {
    const { dispatcher } = setup();
    expect(await ok(dispatcher, 'author_submitExtrinsic', ['0x0a0b'])).toBe(blake2AsHex('0x0a0b'));
    expect(await ok(dispatcher, 'author_pendingExtrinsics')).toEqual(['0x0a0b']);
    expect(await fail(dispatcher, 'author_submitExtrinsic', [BAD_TX])).toEqual({
      code: 1010,
      message: 'Invalid Transaction',
      data: 'Inability to pay some fees , e.g. account balance too low',
    });
    expect((await fail(dispatcher, 'author_submitExtrinsic', ['0x0'])).code).toBe(-32602);
  });

  it('author_submitAndWatchExtrinsic reports each status and stops on unwatch', async () => {
    const { dispatcher, chain } = setup();
    const conn = new Conn(dispatcher);
    const id = await conn.subscribe('author_submitAndWatchExtrinsic', ['0x0c']);
    const h1 = chain.build([]);
    chain.finalize();
    await settle();
    expect(conn.notifications(id, 'author_extrinsicUpdate')).toEqual(['ready', { inBlock: h1 }, { finalized: h1 }]);
    expect((await conn.call('author_unwatchExtrinsic', [id])).result).toBe(true);

    const rejected = await conn.call('author_submitAndWatchExtrinsic', [BAD_TX]);
    expect(rejected.error.code).toBe(1010);
    expect(conn.session.subscriptionCount).toBe(0);
  });

  it('payment_queryInfo comes from the chain; payment_queryFeeDetails decodes the runtime API', async () => {
    const { dispatcher, chain } = setup();
    expect(await ok(dispatcher, 'payment_queryInfo', ['0x0102'])).toEqual({
      weight: { refTime: 1000, proofSize: 0 },
      class: 'normal',
      partialFee: '60',
    });
    expect(await ok(dispatcher, 'payment_queryFeeDetails', ['0x0102', chain.genesisHash])).toEqual({
      inclusionFee: { baseFee: 1000, lenFee: 250, adjustedWeightFee: 12345 },
    });
    // the call data is the extrinsic followed by its length as a u32
    expect(chain.calls.at(-1)).toEqual({
      method: 'TransactionPaymentApi_query_fee_details',
      data: '0x010202000000',
      at: chain.genesisHash,
    });
    // sp-rpc's NumberOrHex prints a u128 balance as hex
    chain.balanceBytes = 16;
    expect(await ok(dispatcher, 'payment_queryFeeDetails', ['0x0102'])).toEqual({
      inclusionFee: { baseFee: '0x3e8', lenFee: '0xfa', adjustedWeightFee: '0x3039' },
    });
    expect((await fail(dispatcher, 'payment_queryInfo', ['0x01', `0x${'ef'.repeat(32)}`])).code).toBe(4003);
  });
});

describe('dev', () => {
  it('serves dev_* only to a table made with devMethods (a node started with --dev)', async () => {
    const dispatcher = new RpcDispatcher(createRpcTable(new FakeChain([]), NODE), log);
    const { methods } = await ok(dispatcher, 'rpc_methods');
    expect(methods.filter((m: string) => m.startsWith('dev_'))).toEqual([]);
    expect((await fail(dispatcher, 'dev_newBlock')).code).toBe(-32601);
    expect(methods).toContain('system_health');
  });

  it('dev_newBlock builds one, count or up-to blocks and validates its options', async () => {
    const { dispatcher, chain } = setup();
    expect(await ok(dispatcher, 'dev_newBlock')).toBe(chain.blocks[1]!.hash);
    expect(await ok(dispatcher, 'dev_newBlock', [{ count: 3 }])).toBe(chain.blocks[4]!.hash);
    expect(await ok(dispatcher, 'dev_newBlock', [{ to: 6 }])).toBe(chain.blocks[6]!.hash);
    expect((await fail(dispatcher, 'dev_newBlock', [{ count: 0 }])).message).toBe('Invalid params: options.count must be >= 1');
    expect((await fail(dispatcher, 'dev_newBlock', [{ to: 6 }])).message).toMatch(/above the best block number 6/);
    expect((await fail(dispatcher, 'dev_newBlock', [{ transactions: [] }])).message).toMatch(/unsupported field\(s\): transactions/);
    expect((await fail(dispatcher, 'dev_newBlock', [{ count: 10_001 }])).code).toBe(-32602);
    expect(chain.bestNumber()).toBe(6);
  });

  it('dev_setStorage takes pairs or an object and writes them in a new block', async () => {
    const { dispatcher, chain } = setup([[KEY_A, '0x01']]);
    const h1 = await ok(dispatcher, 'dev_setStorage', [
      [
        [KEY_A, null],
        [KEY_B, '0x02'],
      ],
    ]);
    expect(h1).toBe(chain.bestHash());
    expect(await ok(dispatcher, 'state_getStorage', [KEY_A])).toBeNull();
    await ok(dispatcher, 'dev_setStorage', [{ [KEY_C]: '0x03', [KEY_B]: null }]);
    expect(await ok(dispatcher, 'state_queryStorageAt', [[KEY_B, KEY_C]])).toEqual([
      {
        block: chain.bestHash(),
        changes: [
          [KEY_B, null],
          [KEY_C, '0x03'],
        ],
      },
    ]);
    expect((await fail(dispatcher, 'dev_setStorage', [[[KEY_A]]])).message).toMatch(/changes\[0\] must be a \[key, value\|null\] pair/);
    expect((await fail(dispatcher, 'dev_setStorage', [{ [KEY_A]: 'zz' }])).code).toBe(-32602);
    expect((await fail(dispatcher, 'dev_setStorage', ['0x01'])).code).toBe(-32602);
    expect(chain.bestNumber()).toBe(2);
  });

  it('dev_timeTravel takes ms, a date string, {seconds} or {blocks}', async () => {
    const { dispatcher } = setup();
    expect(await ok(dispatcher, 'dev_timeTravel', [1_900_000_000_000])).toEqual({ number: 0, timestamp: 1_900_000_000_000 });
    expect(await ok(dispatcher, 'dev_timeTravel', ['2030-01-01T00:00:00Z'])).toEqual({ number: 0, timestamp: Date.UTC(2030, 0, 1) });
    expect(await ok(dispatcher, 'dev_timeTravel', [{ seconds: 60 }])).toEqual({ number: 0, timestamp: 0 });
    expect((await fail(dispatcher, 'dev_timeTravel', ['not a date'])).message).toMatch(/date is not a date/);
    expect((await fail(dispatcher, 'dev_timeTravel', [{}])).message).toBe('Invalid params: date needs blocks or seconds');
    expect((await fail(dispatcher, 'dev_timeTravel', [{ seconds: -1 }])).code).toBe(-32602);
    expect((await fail(dispatcher, 'dev_timeTravel', [])).code).toBe(-32602);
  });
});

describe('in-process provider', () => {
  // ApiPromise.disconnect() drops its own runtime-version subscription after its 1.75 s
  // refCount delay; let that timer run out so Jest exits cleanly.
  afterAll(() => new Promise((r) => setTimeout(r, 1800)));

  const TIMESTAMP_NOW = (xxhashAsHex('Timestamp', 128) + xxhashAsHex('Now', 128).slice(2)) as Hex;

  it('runs an unmodified ApiPromise: init, calls, errors and subscriptions', async () => {
    const { chain, table } = setup([[TIMESTAMP_NOW, `0x${le64(1_700_000_000_000)}`]]);
    const provider: ProviderInterface = createInProcessProvider(table);
    const api = await ApiPromise.create({ provider, noInitWarn: true });
    try {
      expect(api.genesisHash.toHex()).toBe(chain.genesisHash);
      expect(api.runtimeVersion.specVersion.toNumber()).toBe(268);
      expect((await api.rpc.system.chain()).toString()).toBe('TFChain Dev');
      expect(Number((await api.query.timestamp.now()).toString())).toBe(1_700_000_000_000);

      const seen: number[] = [];
      await api.query.timestamp.now((now: Codec) => {
        seen.push(Number(now.toString()));
      });
      const heads: number[] = [];
      await api.rpc.chain.subscribeNewHeads((h) => {
        heads.push(h.number.toNumber());
      });
      chain.build([[TIMESTAMP_NOW, `0x${le64(1_700_000_006_000)}`]]);
      await eventually(() => seen.length === 2 && heads.length === 2);
      expect(seen).toEqual([1_700_000_000_000, 1_700_000_006_000]);
      expect(heads).toEqual([0, 1]);
      // with the API's own runtime version subscription; all end with the connection below
      expect(chain.listenerCount()).toBe(3);

      await expect(provider.send('author_submitExtrinsic', [BAD_TX])).rejects.toMatchObject({
        code: 1010,
        data: 'Inability to pay some fees , e.g. account balance too low',
        message: '1010: Invalid Transaction: Inability to pay some fees , e.g. account balance too low',
      });
    } finally {
      await api.disconnect();
    }
    expect(provider.isConnected).toBe(false);
    expect(chain.listenerCount()).toBe(0);
  });

  it('rejects calls when disconnected and reconnects with a connected event', async () => {
    const { table } = setup();
    const provider = createInProcessProvider(table, { autoConnect: false });
    await expect(provider.send('system_name', [])).rejects.toThrow('not connected');
    const events: string[] = [];
    provider.on('connected', () => events.push('connected'));
    provider.on('disconnected', () => events.push('disconnected'));
    await provider.connect();
    expect(await provider.send('system_name', [])).toBe('tfchain-devchain');
    const err = await provider.send('chain_getBlockHash', ['x']).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: -32602, message: '-32602: Invalid params: blockNumber must be a number or 0x-prefixed hex' });
    await provider.disconnect();
    expect(events).toEqual(['connected', 'disconnected']);
    await expect(provider.send('system_name', [])).rejects.toThrow('not connected');
    const clone = provider.clone(); // a clone connects, as a cloned WsProvider does
    expect(await clone.send('system_chain', [])).toBe('TFChain Dev');
    await clone.disconnect();
  });

  it('routes notifications to their callback and unsubscribes on the node', async () => {
    const { chain, table } = setup();
    const provider = createInProcessProvider(table);
    const got: Array<[Error | null, Json]> = [];
    const id = await provider.subscribe('chain_newHead', 'chain_subscribeNewHeads', [], (err, head) => got.push([err, head]));
    chain.build([]);
    await eventually(() => got.length === 2);
    expect(got.map(([err, head]) => [err, head.number])).toEqual([
      [null, '0x0'],
      [null, '0x1'],
    ]);
    expect(provider.stats?.active.subscriptions).toBe(1);
    expect(await provider.unsubscribe('chain_newHead', 'chain_unsubscribeNewHeads', id)).toBe(true);
    expect(chain.listenerCount()).toBe(0);
    expect(await provider.unsubscribe('chain_newHead', 'chain_unsubscribeNewHeads', id)).toBe(false);
    chain.build([]);
    await settle();
    expect(got).toHaveLength(2);
    await provider.disconnect();
  });
});
