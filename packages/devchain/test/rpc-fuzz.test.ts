/**
 * JSON-RPC fuzz test of the dev chain, run as its own process (`devchain --dev`) behind its real
 * HTTP and WebSocket server: malformed, oversized and deeply nested JSON, huge batches, batches
 * of large replies, long hex and non-hex strings to every method taking an address or hex,
 * random extrinsic bytes, random runtime API calls, dev_newBlock with a huge count under many
 * live subscriptions. Every answer must be a well-formed JSON-RPC response with an allowed error
 * code (never -32603 for bad input), the node must answer system_health after each part, and
 * its peak resident memory must stay under MEMORY_BOUND. Inputs come from a seeded PRNG
 * (DEVCHAIN_FUZZ_SEED reproduces a run).
 */
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { checkResponse, post, postOversized, prng, startNodeProcess, WsClient, type NodeProcess, type Random } from './support/fuzz';

jest.setTimeout(60_000);

const MIB = 1024 * 1024;
/** the node's peak RSS bound during the whole run (README, "Limits") */
const MEMORY_BOUND = 512 * MIB;
const SEED = Number(process.env.DEVCHAIN_FUZZ_SEED ?? 20261202);

let node: NodeProcess;
let rnd: Random;
let nextId = 1;
/** largest V8 heap in use the node reported (/metrics) after a part */
let maxHeapUsed = 0;

beforeAll(async () => {
  node = await startNodeProcess(['--log-level', 'info']);
  rnd = prng(SEED);
});

afterAll(async () => {
  await node?.stop();
});

afterEach(async () => {
  // After every part: the process lives, answers, and stays under the bound.
  expect(node.child.exitCode).toBeNull();
  const [health] = checkResponse((await post(node.httpUrl, call('system_health', [], 0))).text, [0]);
  expect(health!.result).toEqual({ peers: 0, isSyncing: false, shouldHavePeers: false });
  expect(node.memory().peakRss).toBeLessThan(MEMORY_BOUND);
  const metrics = await (await fetch(`${node.httpUrl}/metrics`)).text();
  maxHeapUsed = Math.max(maxHeapUsed, Number(/^nodejs_heap_used_bytes (\d+)$/m.exec(metrics)?.[1]));
  expect(maxHeapUsed).toBeLessThan(MEMORY_BOUND);
});

function call(method: string, params: unknown[] = [], id: number = nextId++): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

/** One call over HTTP, checked; answers the response object. */
async function httpCall(method: string, params: unknown[] = []): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const id = nextId++;
  const { text } = await post(node.httpUrl, call(method, params, id));
  return checkResponse(text, [id])[0]!;
}

/** Calls over HTTP in batches of `size`, each reply checked (ids echoed, codes allowed). */
async function httpBatches(calls: Array<[string, unknown[]]>, size = 50): Promise<void> {
  for (let i = 0; i < calls.length; i += size) {
    const ids: number[] = [];
    const body = calls.slice(i, i + size).map(([method, params]) => {
      const id = nextId++;
      ids.push(id);
      return { jsonrpc: '2.0', id, method, params };
    });
    const { status, text } = await post(node.httpUrl, JSON.stringify(body));
    expect(status).toBe(200);
    checkResponse(text, ids);
  }
}

describe('the dev chain under hostile JSON-RPC input', () => {
  test('malformed JSON and invalid requests get -32700 / -32600', async () => {
    const valid = call('system_health');
    const inputs: string[] = [
      '',
      '{',
      '[',
      ']',
      'null',
      'true',
      '42',
      '"text"',
      '[]',
      '[1,2,3]',
      '{}',
      '{"jsonrpc":"1.0","id":1,"method":"system_health"}',
      '{"jsonrpc":"2.0","id":{},"method":"system_health"}',
      '{"jsonrpc":"2.0","id":1,"method":5}',
      '{"jsonrpc":"2.0","id":1,"method":"system_health","params":"x"}',
      '{"jsonrpc":"2.0","id":1,"method":"system_health","params":{"a":1}}',
      '{"jsonrpc":"2.0","id":1,"method":"__proto__"}',
      '{"jsonrpc":"2.0","id":1,"method":"constructor"}',
    ];
    for (let i = 0; i < 60; i++) inputs.push(valid.slice(0, rnd.int(valid.length)));
    for (let i = 0; i < 60; i++) inputs.push(rnd.text(1 + rnd.int(200)));
    for (let i = 0; i < 30; i++) inputs.push(Buffer.from(rnd.bytes(1 + rnd.int(100))).toString('latin1'));
    const codes = new Set<number>();
    for (const body of inputs) {
      const { status, text } = await post(node.httpUrl, body);
      expect(status).toBe(200);
      for (const r of checkResponse(text)) if (r.error) codes.add(r.error.code);
    }
    expect([...codes].sort()).toEqual(expect.arrayContaining([-32700, -32600]));
    const ws = await WsClient.open(node.wsUrl);
    for (const body of inputs.slice(0, 60)) {
      const reply = await ws.request(body);
      checkResponse(JSON.stringify(reply));
    }
    expect(ws.open).toBe(true);
    await ws.close();
  });

  test('deeply nested JSON is answered, not a crash', async () => {
    const depth = 100_000;
    const arrays = '['.repeat(depth) + ']'.repeat(depth);
    const objects = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const bodies = [
      arrays,
      `{"jsonrpc":"2.0","id":1,"method":"system_health","params":[${arrays}]}`,
      `{"jsonrpc":"2.0","id":2,"method":"dev_setStorage","params":[${arrays}]}`,
      `{"jsonrpc":"2.0","id":3,"method":"state_queryStorageAt","params":[${arrays}]}`,
      `{"jsonrpc":"2.0","id":4,"method":"dev_newBlock","params":[${objects}]}`,
      `{"jsonrpc":"2.0","id":5,"method":"dev_setStorage","params":[${objects}]}`,
    ];
    const ws = await WsClient.open(node.wsUrl);
    for (const body of bodies) {
      checkResponse((await post(node.httpUrl, body)).text);
      checkResponse(JSON.stringify(await ws.request(body)));
    }
    await ws.close();
  });

  test('oversized requests are refused (HTTP 413 / WS close 1009) and nothing else is hurt', async () => {
    // Announced too big (refused from the header), and chunked (refused once 15 MiB were read).
    for (const announced of [16 * MIB, undefined]) {
      const { status, text } = await postOversized(node.httpUrl, announced, 16 * MIB);
      expect(status).toBe(413);
      expect(checkResponse(text)[0]!.error).toMatchObject({ code: -32007, message: 'Request is too big' });
    }
    const big = call('system_health', ['x'.repeat(15 * MIB + 1)]);
    const bystander = await WsClient.open(node.wsUrl);
    const ws = await WsClient.open(node.wsUrl);
    ws.sendRaw(big);
    expect(await ws.closed()).toBe(1009);
    checkResponse(JSON.stringify(await bystander.request(call('system_health', [], 7), '7')), [7]);
    await bystander.close();
  });

  test('batches are capped in length and in total reply size, with one error each', async () => {
    const batch = (method: string, n: number): { body: string; ids: number[] } => {
      const ids = Array.from({ length: n }, () => nextId++);
      return { body: JSON.stringify(ids.map((id) => ({ jsonrpc: '2.0', id, method, params: [] }))), ids };
    };
    const tooLong = batch('system_health', 1001);
    const [long] = checkResponse((await post(node.httpUrl, tooLong.body)).text, tooLong.ids);
    expect(long!.error).toMatchObject({ code: -32010, message: 'The batch request was too large' });
    expect(JSON.stringify(long!.error)).toMatch(/1000/);
    const full = batch('system_health', 1000);
    expect(checkResponse((await post(node.httpUrl, full.body)).text, full.ids)).toHaveLength(1000);
    const fits = batch('state_getMetadata', 20);
    expect(checkResponse((await post(node.httpUrl, fits.body)).text, fits.ids)).toHaveLength(20);

    // 1000 metadata replies would be ~95 MB: refused as one error, over 4 connections at once.
    const clients = await Promise.all([0, 1, 2, 3].map(() => WsClient.open(node.wsUrl)));
    await Promise.all(
      clients.map(async (ws) => {
        for (let round = 0; round < 3; round++) {
          const heavy = batch('state_getMetadata', 1000);
          const reply = await ws.request(heavy.body, 'null');
          const [r] = checkResponse(JSON.stringify(reply), heavy.ids);
          expect(r!.error).toMatchObject({ code: -32011, message: 'The batch response was too large' });
        }
      }),
    );
    // A subscription opened by a batch refused for its size is closed again: no notification follows.
    const watcher = clients[0]!;
    const subscribeThenHeavy = JSON.stringify([
      { jsonrpc: '2.0', id: nextId++, method: 'chain_subscribeNewHeads', params: [] },
      ...Array.from({ length: 999 }, () => ({ jsonrpc: '2.0', id: nextId++, method: 'state_getMetadata', params: [] })),
    ]);
    checkResponse(JSON.stringify(await watcher.request(subscribeThenHeavy, 'null')));
    const before = watcher.notifications;
    await httpCall('dev_newBlock', [{ count: 2 }]);
    checkResponse(JSON.stringify(await watcher.request(call('system_health', [], 9), '9')), [9]);
    expect(watcher.notifications).toBe(before);
    await Promise.all(clients.map((ws) => ws.close()));
  });

  test('long hex and non-hex strings to every method taking an address or hex', async () => {
    const takers: Array<[string, (v: string) => unknown[]]> = [
      ['system_accountNextIndex', (v) => [v]],
      ['account_nextIndex', (v) => [v]],
      ['chain_getHeader', (v) => [v]],
      ['chain_getBlock', (v) => [v]],
      ['chain_getBlockHash', (v) => [v]],
      ['state_getMetadata', (v) => [v]],
      ['state_getRuntimeVersion', (v) => [v]],
      ['state_getStorage', (v) => [v]],
      ['state_getStorage', (v) => ['0x00', v]],
      ['state_getStorageHash', (v) => [v]],
      ['state_getStorageSize', (v) => [v]],
      ['state_getKeys', (v) => [v]],
      ['state_getPairs', (v) => [v]],
      ['state_getKeysPaged', (v) => [v, 10]],
      ['state_getKeysPaged', (v) => ['0x', 10, v]],
      ['state_queryStorageAt', (v) => [[v]]],
      ['state_queryStorage', (v) => [['0x00'], v]],
      ['state_call', (v) => ['Core_version', v]],
      ['state_call', (v) => [v, '0x']],
      ['state_call', (v) => ['Metadata_metadata_at_version', v]],
      ['author_submitExtrinsic', (v) => [v]],
      ['payment_queryInfo', (v) => [v]],
      ['payment_queryFeeDetails', (v) => [v]],
      ['dev_setStorage', (v) => [[[v, '0x00']]]],
      ['dev_setStorage', (v) => [[['0x00', v]]]],
    ];
    const values = [
      'z'.repeat(MIB),
      '5'.repeat(100_000),
      `0x${'ab'.repeat(MIB)}`,
      `0x${'ab'.repeat(MIB / 2)}z`,
      `0x${'a'.repeat(499_999)}`,
      `0x${'0'.repeat(64)}`,
      rnd.text(5000),
    ];
    for (const value of values) {
      for (const [method, params] of takers) {
        const { text } = await post(node.httpUrl, call(method, params(value)));
        const [r] = checkResponse(text);
        // Errors name the parameter and quote at most a short preview of the input.
        expect(text.length).toBeLessThan(64 * 1024);
        if (r!.error?.code === -32602) expect(r!.error.message).toMatch(/^Invalid params: \S+/);
      }
    }
    const ws = await WsClient.open(node.wsUrl);
    for (const value of values) {
      checkResponse(JSON.stringify(await ws.request(call('state_subscribeStorage', [[value]]))));
      checkResponse(JSON.stringify(await ws.request(call('author_submitAndWatchExtrinsic', [value]))));
    }
    await ws.close();
  });

  test('random extrinsic bytes to author_submitExtrinsic and random state_call inputs', async () => {
    const api = await ApiPromise.create({ provider: new WsProvider(node.wsUrl), noInitWarn: true });
    try {
      const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
      const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');
      const signed = (await api.tx.balances.transferKeepAlive(bob.address, 1).signAsync(alice)).toU8a();
      const compact = (n: number): number[] => (n < 64 ? [n << 2] : [((n << 2) | 1) & 0xff, n >> 6]);
      const hex = (b: ArrayLike<number>): string => `0x${Buffer.from(Uint8Array.from(b)).toString('hex')}`;
      const extrinsics: string[] = [];
      for (let i = 0; i < 150; i++) extrinsics.push(rnd.hex(rnd.int(300)));
      for (let i = 0; i < 150; i++) {
        const body = [rnd.pick([0x04, 0x84]), rnd.int(50), rnd.int(40), ...rnd.bytes(rnd.int(200))];
        extrinsics.push(hex([...compact(body.length), ...body]));
      }
      for (let i = 0; i < 200; i++) {
        const mutated = Uint8Array.from(signed);
        for (let k = 1 + rnd.int(3); k > 0; k--) mutated[rnd.int(mutated.length)] = rnd.int(256);
        extrinsics.push(hex(mutated));
      }
      // A call nested far deeper than any real one (utility.batch inside utility.batch…).
      const nested = Array.from({ length: 2000 }, () => [0x01, 0x00, 0x04]).flat();
      extrinsics.push(hex([...compact(nested.length + 1), 0x04, ...nested]));
      const calls: Array<[string, unknown[]]> = [];
      for (const x of extrinsics) calls.push(['author_submitExtrinsic', [x]], ['payment_queryInfo', [x]], ['payment_queryFeeDetails', [x]]);
      const apis = [
        'Core_version',
        'Metadata_metadata',
        'Metadata_metadata_versions',
        'Metadata_metadata_at_version',
        'AccountNonceApi_account_nonce',
        'TransactionPaymentApi_query_info',
        'TransactionPaymentApi_query_fee_details',
        'TransactionPaymentApi_query_weight_to_fee',
        'TransactionPaymentApi_query_length_to_fee',
        'BlockBuilder_apply_extrinsic',
        'Core_execute_block',
      ];
      for (let i = 0; i < 400; i++) {
        const method = rnd.next() < 0.85 ? rnd.pick(apis) : rnd.text(1 + rnd.int(80));
        const data = rnd.next() < 0.5 ? rnd.hex(rnd.int(64)) : rnd.pick(extrinsics) + rnd.hex(4).slice(2);
        calls.push(['state_call', [method, data]]);
      }
      await httpBatches(calls);
    } finally {
      await api.disconnect();
    }
  });

  test('dev_newBlock: count is capped, and a long run under many subscriptions leaves other clients served', async () => {
    for (const options of [{ count: 1e9 }, { count: 10_001 }, { count: -1 }, { count: 1.5 }, { count: 'many' }, { to: 2 ** 60 }]) {
      expect((await httpCall('dev_newBlock', [options])).error?.code).toBe(-32602);
    }
    // 1,000 live subscriptions over 4 connections, sent without waiting for their ids.
    const subscribers = await Promise.all([0, 1, 2, 3].map(() => WsClient.open(node.wsUrl)));
    const kinds: Array<[string, unknown[]]> = [
      ['chain_subscribeNewHeads', []],
      ['chain_subscribeAllHeads', []],
      ['chain_subscribeFinalizedHeads', []],
      ['state_subscribeRuntimeVersion', []],
      ['state_subscribeStorage', [['0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac']]],
    ];
    await Promise.all(
      subscribers.flatMap((ws) =>
        Array.from({ length: 250 }, (_, i) => {
          const id = nextId++;
          const [method, params] = kinds[i % kinds.length]!;
          return ws
            .request(call(method, params, id), String(id))
            .then((r) => expect((r as { result?: unknown }).result).toEqual(expect.any(String)));
        }),
      ),
    );
    // One connection past its 1,024 subscriptions gets -32006 for the rest.
    const greedy = await WsClient.open(node.wsUrl);
    const greedyCodes = await Promise.all(
      Array.from({ length: 1030 }, () => {
        const id = nextId++;
        return greedy
          .request(call('chain_subscribeNewHeads', [], id), String(id))
          .then((r) => (r as { error?: { code: number } }).error?.code ?? 0);
      }),
    );
    expect(greedyCodes.filter((c) => c === -32006)).toHaveLength(6);

    const start = Number.parseInt(((await httpCall('chain_getHeader')).result as { number: string }).number, 16);
    let newBlockAnswered = false;
    const run = httpCall('dev_newBlock', [{ count: 10_000 }]).then((r) => ((newBlockAnswered = true), r));
    await new Promise((r) => setTimeout(r, 50));
    // While the 10,000 blocks are built, another client is served (it is answered first).
    expect((await httpCall('system_health')).result).toBeDefined();
    expect(newBlockAnswered).toBe(false);
    expect(typeof (await run).result).toBe('string');
    const end = Number.parseInt(((await httpCall('chain_getHeader')).result as { number: string }).number, 16);
    expect(end).toBe(start + 10_000);
    // More dev calls than may queue (8) are refused as busy; none fails otherwise.
    const burst = (await Promise.all(
      Array.from({ length: 12 }, () => {
        const id = nextId++;
        return greedy.request(call('dev_newBlock', [{ count: 300 }], id), String(id));
      }),
    )) as Array<{ error?: { code: number } }>;
    expect(burst.filter((r) => r.error?.code === -32009).length).toBeGreaterThan(0);
    expect(burst.every((r) => r.error === undefined || r.error.code === -32009)).toBe(true);
    for (const ws of [...subscribers, greedy]) {
      expect(ws.open).toBe(true);
      expect(ws.notifications).toBeGreaterThan(0);
    }
    await Promise.all([...subscribers, greedy].map((ws) => ws.close()));
  });

  test('the node is alive and stayed under its memory bound', async () => {
    const { rss, peakRss } = node.memory();
    const mib = (n: number): number => Math.round(n / MIB);
    process.stdout.write(
      `devchain rpc fuzz (seed ${SEED}): RSS ${mib(rss)} MiB now, peak ${mib(peakRss)} MiB, heap after a part at most ${mib(maxHeapUsed)} MiB (bound ${mib(MEMORY_BOUND)} MiB)\n`,
    );
    expect(peakRss).toBeLessThan(MEMORY_BOUND);
    expect(node.child.exitCode).toBeNull();
  });
});
