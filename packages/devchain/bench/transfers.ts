/**
 * Benchmark: pre-signed transfers submitted by @polkadot/api over WebSocket to a devchain running
 * in its own process (persistent, LevelDB). Prints transfers per second accepted and finalized and
 * the node's memory over the run.   npm run bench -w packages/devchain [-- COUNT]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { compactToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady, encodeAddress } from '@polkadot/util-crypto';
import { sr25519KeypairFromSeed, sr25519Sign, waitReady } from '@polkadot/wasm-crypto';

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

const COUNT = Number(process.argv[2] ?? 100_000);
const SENDERS = 50;
const WINDOW = 4_000; // submissions in flight: the pool holds at most 20,000
const PORT = 9_900 + Math.floor(Math.random() * 90);

const rssOf = (pid: number): { rss: number; hwm: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
};
const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;

async function main(): Promise<void> {
  await cryptoWaitReady();
  const dir = mkdtempSync(path.join(tmpdir(), 'devchain-bench-'));
  const node = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
      path.join(__dirname, '../bin/devchain.js'),
      '--base-path',
      dir,
      '--port',
      String(PORT),
      '--log-level',
      'warn',
    ],
    { stdio: 'inherit' },
  );
  const samples: { t: number; rss: number; heap: number }[] = [];
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const api = await ApiPromise.create({ provider: new WsProvider(`ws://127.0.0.1:${PORT}`), noInitWarn: true });
    const keyring = new Keyring({ type: 'sr25519' });
    const alice = keyring.addFromUri('//Alice');
    // Senders signed with the wasm sr25519 directly: the keyring's JS signer would dominate the run.
    await waitReady();
    const senders = Array.from({ length: SENDERS }, (_, i) => {
      const kp = sr25519KeypairFromSeed(blake2AsU8a(`bench sender ${i}`));
      const secretKey = kp.slice(0, 64);
      const publicKey = kp.slice(64);
      return { publicKey, address: encodeAddress(publicKey, 42), sign: (m: Uint8Array) => sr25519Sign(publicKey, secretKey, m) };
    });

    // Fund the senders in one batch.
    await new Promise<void>((resolve, reject) => {
      api.tx.utility
        .batchAll(senders.map((s) => api.tx.balances.transferKeepAlive(s.address, 10n ** 15n)))
        .signAndSend(alice, (r) => {
          if (r.status.isFinalized) resolve();
        })
        .catch(reject);
    });

    // Pre-sign by hand (the signed payload of extrinsic v4): @polkadot/api's own signing costs
    // milliseconds per transaction, which would make the benchmark measure the client.
    console.log(`signing ${COUNT} transfers from ${SENDERS} accounts...`);
    const perSender = Math.ceil(COUNT / SENDERS);
    const genesis = api.genesisHash.toU8a();
    const versions = u8aConcat(u32(api.runtimeVersion.specVersion.toNumber()), u32(api.runtimeVersion.transactionVersion.toNumber()));
    // transfer_keep_alive(alice, amount): the call bytes up to the compact amount are the same for all.
    const callHead = api.tx.balances.transferKeepAlive(alice.address, 0).method.toU8a().slice(0, -1);
    const signed: string[] = [];
    for (let n = 0; n < perSender; n++) {
      for (const s of senders) {
        if (signed.length === COUNT) break;
        const call = u8aConcat(callHead, compactToU8a(1_000 + n));
        const extra = u8aConcat(new Uint8Array([0]), compactToU8a(n), compactToU8a(0));
        const payload = u8aConcat(call, extra, versions, genesis, genesis);
        const signature = s.sign(payload.length > 256 ? blake2AsU8a(payload) : payload);
        const body = u8aConcat(new Uint8Array([0x84, 0x00]), s.publicKey, new Uint8Array([0x01]), signature, extra, call);
        signed.push(u8aToHex(u8aConcat(compactToU8a(body.length), body)));
      }
      if (n % 20 === 0) await new Promise((r) => setImmediate(r)); // keep answering the node's pings
    }
    const startBlock = (await api.rpc.chain.getHeader()).number.toNumber();
    const provider = new WsProvider(`ws://127.0.0.1:${PORT}`);
    await provider.isReady;
    const heapOf = async (): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
      return Number(/nodejs_heap_used_bytes (\d+)/.exec(text)?.[1] ?? 0);
    };
    const sampler = setInterval(() => {
      void heapOf().then((heap) => samples.push({ t: Date.now(), rss: rssOf(node.pid!).rss, heap }));
    }, 1000);
    const t0 = Date.now();
    let next = 0;
    let accepted = 0;
    let refused = 0;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (next < signed.length && next - accepted - refused < WINDOW) {
          provider.send('author_submitExtrinsic', [signed[next++]]).then(
            () => {
              accepted++;
              if (accepted + refused === signed.length) resolve();
              else pump();
            },
            (e: Error) => {
              refused++;
              if (refused < 5) console.error('refused:', e.message);
              if (accepted + refused === signed.length) resolve();
              else pump();
            },
          );
        }
      };
      pump();
    });
    const tAccepted = Date.now();

    // Wait until every accepted transfer is in a finalized block.
    let included = 0;
    let block = startBlock + 1;
    while (included < accepted) {
      const fin = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
      for (; block <= fin; block++) {
        const b = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(block));
        included += b.block.extrinsics.length - 1; // minus the timestamp inherent
      }
      if (included < accepted) await new Promise((r) => setTimeout(r, 100));
    }
    const tFinal = Date.now();
    clearInterval(sampler);
    const mem = rssOf(node.pid!);
    const tenth = samples[Math.floor(samples.length / 10)]?.rss ?? mem.rss;
    const last = samples[samples.length - 1]?.rss ?? mem.rss;

    console.log(`transfers: ${accepted} accepted, ${refused} refused, ${included} finalized in ${block - startBlock - 1} blocks`);
    console.log(`accepted:  ${Math.round(accepted / ((tAccepted - t0) / 1000))} transfers/s`);
    console.log(
      `finalized: ${Math.round(included / ((tFinal - t0) / 1000))} transfers/s (submit to last finality ${((tFinal - t0) / 1000).toFixed(1)} s)`,
    );
    console.log(`node memory: peak RSS ${mib(mem.hwm)}; RSS at 10% of the run ${mib(tenth)}, at the end ${mib(last)}`);
    const at = (f: number, k: 'rss' | 'heap'): number => samples[Math.min(samples.length - 1, Math.floor(samples.length * f))]?.[k] ?? 0;
    console.log(`node RSS over the run: at 10% ${mib(at(0.1, 'rss'))}, 50% ${mib(at(0.5, 'rss'))}, 90% ${mib(at(0.9, 'rss'))}`);
    console.log(
      `node V8 heap in use: at 10% ${mib(at(0.1, 'heap'))}, 50% ${mib(at(0.5, 'heap'))}, 90% ${mib(at(0.9, 'heap'))}, max ${mib(Math.max(...samples.map((s) => s.heap)))}`,
    );
    await provider.disconnect();
    await api.disconnect();
  } finally {
    node.kill('SIGTERM');
    await new Promise((r) => node.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
