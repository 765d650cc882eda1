/**
 * Finalized transactions per second from ONE signer: our pipelined queue against the official
 * `@threefold/tfchain_client` (one transaction at a time), on the same in-process dev chain in
 * the same run. Usage: npm run bench -w packages/client [-- OURS OFFICIAL] (default 2000 50).
 */
import { startDevchain } from '@tfgrid/devchain';
import { connect, TFT } from '../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const official = require('@threefold/tfchain_client') as {
  Client: new (o: { url: string; mnemonicOrSecret: string; keypairType?: string }) => {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    balances: { transfer(o: { address: string; amount: number }): Promise<{ apply(): Promise<unknown> }> };
  };
};

const ours = Number(process.argv[2] ?? 2000);
const theirs = Number(process.argv[3] ?? 50);
const DEST = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty'; // //Charlie

async function main(): Promise<void> {
  const chain = await startDevchain({ port: 0 });
  try {
    // Ours: every transfer queued at once, each awaited until its block is finalized.
    const client = await connect({ url: chain.url, secret: '//Alice' });
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: ours }, () => client.balances.transfer({ to: DEST, amount: 1n * TFT }, { wait: 'finalized' })),
    );
    const oursSecs = (performance.now() - t0) / 1000;
    const blocks = new Set(results.map((r) => r.blockNumber)).size;
    await client.disconnect();

    // Official: its documented way, one transfer after the other (it waits for each block).
    const log = console.log;
    console.log = () => undefined; // it narrates every event
    const off = new official.Client({ url: chain.url, mnemonicOrSecret: '//Bob' });
    await off.connect();
    const t1 = performance.now();
    for (let i = 0; i < theirs; i++) await (await off.balances.transfer({ address: DEST, amount: 10_000_000 })).apply();
    const offSecs = (performance.now() - t1) / 1000;
    await off.disconnect();
    console.log = log;

    const oursRate = ours / oursSecs;
    const offRate = theirs / offSecs;
    console.log(
      `@tfgrid/client pipelined queue: ${ours} transfers finalized in ${oursSecs.toFixed(2)} s (${blocks} blocks) = ${oursRate.toFixed(1)} tx/s`,
    );
    console.log(
      `@threefold/tfchain_client 2.9:  ${theirs} transfers in ${offSecs.toFixed(2)} s, one at a time = ${offRate.toFixed(1)} tx/s`,
    );
    console.log(`ratio: ${(oursRate / offRate).toFixed(1)}x (target >= 10x)`);
  } finally {
    await chain.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
