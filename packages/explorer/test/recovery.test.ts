/**
 * The indexer as a child process (the CLI) killed with SIGKILL at random points of a backfill,
 * restarted each time, ends with a database identical, key for key, to an uninterrupted run;
 * and with a finality lag on the chain nothing unfinalized is ever served.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import type { TfchainClient } from '@tfgrid/client';
import { ExplorerDb, startExplorer } from '../src';
import { chainNow, finalizedHeight, get, nodeInput, tempDir, twinClient } from './support';

jest.setTimeout(180_000);
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BIN = path.join(__dirname, '../bin/tfgrid-explorer.js');

/** Every key and value of the database, in order. */
async function dump(dir: string): Promise<[string, string][]> {
  const db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
  await db.open();
  try {
    return await db.iterator().all();
  } finally {
    await db.close();
  }
}

async function cursorOf(dir: string): Promise<number> {
  const db = new ExplorerDb(dir);
  await db.open();
  try {
    return (await db.cursor())?.height ?? -1;
  } finally {
    await db.close();
  }
}

/**
 * Runs the CLI and SIGKILLs it: `afterMs` after it listens, or once it has logged `afterRanges`
 * written ranges (so a kill lands inside a backfill however fast the indexer is; if no range
 * comes within 3 s of listening, the backfill is over and it is killed then).
 */
function runAndKill(chainUrl: string, dir: string, kill: { afterMs: number } | { afterRanges: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const byRanges = 'afterRanges' in kill;
    const child = spawn(process.execPath, [BIN, '--chain', chainUrl, '--db', dir, '--port', '0'], {
      env: { ...process.env, LOG_LEVEL: byRanges ? 'debug' : 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    let ranges = 0;
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      out += text;
      if (!timer && out.includes('explorer listening')) timer = setTimeout(() => child.kill('SIGKILL'), byRanges ? 3000 : kill.afterMs);
      if (byRanges) {
        ranges += text.split('"msg":"range written"').length - 1;
        if (ranges >= kill.afterRanges) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`explorer exited by itself (${code}): ${out}`));
    });
  });
}

describe('SIGKILL during a backfill', () => {
  let chain: Devchain;
  let clients: TfchainClient[] = [];
  const ref = tempDir();
  const killed = tempDir();

  beforeAll(async () => {
    chain = await startChain();
    const alice = await twinClient(chain, '//Alice');
    const farmer = await twinClient(chain, '//Bob');
    const n = await twinClient(chain, '0x' + '61'.repeat(32), alice, 'ed25519');
    clients = [alice, farmer, n];
    const farm = await farmer.farms.create({ name: 'sigkill', publicIps: [{ ip: '185.206.122.50/24', gw: '185.206.122.1' }] });
    const nodeId = await n.nodes.create(nodeInput(farm));
    const c = await alice.contracts.createNode({ nodeId, hash: 'd'.repeat(32), data: 'x', publicIps: 1 });
    await alice.contracts.createName('sigkill');
    await n.contracts.reportResources([{ contractId: c, used: { hru: 0, sru: 1e9, cru: 1, mru: 1e9 } }]);
    // Thousands of blocks with bills every block slot and an uptime report every 400 blocks.
    for (let i = 0; i < 6; i++) {
      await chain.chain.timeTravel({ blocks: 400 });
      await n.nodes.reportUptime({ uptime: 1000 + i * 2400, timestampHint: await chainNow(alice) }, { wait: 'finalized' });
    }
  });

  afterAll(async () => {
    for (const c of clients) await c.disconnect();
    await chain?.stop();
    ref.remove();
    killed.remove();
  });

  test('killed at random points and restarted, the database equals an uninterrupted run', async () => {
    const head = await finalizedHeight(clients[0]!);
    const heights: number[] = [];
    // Two kills after a few written ranges (inside the backfill), then two at random times
    // (during it, or after it ended).
    const kills = [
      { afterRanges: 1 + Math.floor(Math.random() * 3) },
      { afterRanges: 1 + Math.floor(Math.random() * 3) },
      { afterMs: Math.floor(Math.random() * 1200) },
      { afterMs: Math.floor(Math.random() * 1200) },
    ];
    for (const kill of kills) {
      await runAndKill(chain.url, killed.dir, kill);
      heights.push(await cursorOf(killed.dir));
    }
    // Finish the interrupted run, then make the uninterrupted one.
    for (const dir of [killed.dir, ref.dir]) {
      const e = await startExplorer({ chain: chain.url, db: dir, port: 0, pollMs: 200 });
      await e.indexer.waitFor(head, 120_000);
      await e.stop();
    }
    // The kills landed at various points (before the import, during the backfill or after it).
    expect(heights.length).toBe(4);
    expect(heights.every((h) => h <= head)).toBe(true);
    expect(heights.some((h) => h > 0 && h < head)).toBe(true);
    const [a, b] = await Promise.all([dump(ref.dir), dump(killed.dir)]);
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
  });
});

describe('finality lag', () => {
  let chain: Devchain;
  let alice: TfchainClient;
  const tmp = tempDir();

  beforeAll(async () => {
    // Blocks are finalized 4 s after they are made.
    chain = await startChain({ finalityDelayMs: 4000 });
    alice = await twinClient(chain, '//Alice');
  });

  afterAll(async () => {
    await alice?.disconnect();
    await chain?.stop();
    tmp.remove();
  });

  test('nothing unfinalized is served', async () => {
    const explorer = await startExplorer({ chain: chain.url, db: tmp.dir, port: 0, pollMs: 100 });
    try {
      const farmer = await twinClient(chain, '//Bob');
      const made: { block: number; farm: string }[] = [];
      const work = (async () => {
        for (let i = 0; i < 4; i++) {
          const name = `lag_${i}`;
          const r = await farmer.submit(farmer.api.tx.tfgridModule.createFarm(name, []));
          made.push({ block: r.blockNumber!, farm: name });
        }
      })();
      let checks = 0;
      let sawUnfinalized = false;
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [health, farms] = await Promise.all([get<Any>(explorer, '/health'), get<Any[]>(explorer, '/farms')]);
        // Read after the API answered: the finalized head can only have grown meanwhile.
        const finalized = chain.chain.finalizedNumber();
        const best = chain.chain.bestNumber();
        if (best > finalized) sawUnfinalized = true;
        expect(health.body.indexer.indexedHeight).toBeLessThanOrEqual(finalized);
        for (const f of farms.body) {
          const m = made.find((x) => x.farm === f.name);
          if (m) expect(m.block).toBeLessThanOrEqual(finalized);
        }
        checks++;
        if ((made.length === 4 && farms.body.length === 4) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await work;
      expect(sawUnfinalized).toBe(true);
      expect(checks).toBeGreaterThan(10);
      expect((await get<Any[]>(explorer, '/farms')).body.map((f) => f.name).sort()).toEqual(['lag_0', 'lag_1', 'lag_2', 'lag_3']);
      await farmer.disconnect();
    } finally {
      await explorer.stop();
    }
  });
});
