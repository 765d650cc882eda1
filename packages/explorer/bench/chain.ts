/**
 * Builds (once) the benchmark chain: a persistent dev chain with BLOCKS blocks of TFChain
 * traffic, kept in bench/.cache so later runs only index it. Traffic, all through signed
 * extrinsics except billing (which the chain does itself each block, as TFChain's billing):
 * twins, farms with public IPs, NODES nodes, node/name/rent contracts with reported used
 * resources, an uptime report from every node every 40 minutes of chain time (400 blocks,
 * produced with dev_timeTravel), NRU reports every 10 rounds, contract bills every block.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect, GiB, TERMS_LINK, TFT, type TfchainClient } from '@tfgrid/client';
import { startDevchain } from '@tfgrid/devchain';

export const CACHE = path.join(__dirname, '.cache');
/** Bump when the traffic changes, so an old cache is not reused. */
const VERSION = 1;
const TERMS = { documentLink: TERMS_LINK, documentHash: 'abc123' };
const ROUND_BLOCKS = 400; // 40 minutes of 6 s blocks

export interface BenchChain {
  dir: string;
  blocks: number;
}

export async function benchChain(opts: { blocks: number; nodes: number; log: (s: string) => void }): Promise<BenchChain> {
  const dir = path.join(CACHE, `chain-v${VERSION}-${opts.blocks}-${opts.nodes}`);
  if (existsSync(path.join(dir, 'done'))) return { dir, blocks: opts.blocks };
  const tmp = `${dir}.building`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  opts.log(`building the benchmark chain (${opts.blocks} blocks, ${opts.nodes} nodes) in ${tmp}; once`);
  const chain = await startDevchain({ port: 0, basePath: tmp });
  const clients: TfchainClient[] = [];
  try {
    const c = async (secret: string, keyType?: 'ed25519') => {
      const x = await connect({ url: chain.url, secret, keyType });
      clients.push(x);
      return x;
    };
    const alice = await c('//Alice');
    const farmer = await c('//Bob');
    for (const t of [alice, farmer]) {
      await t.twins.acceptTerms(TERMS);
      await t.twins.create({ relay: 'relay.dev.grid.tf' });
    }
    const farms: number[] = [];
    for (let f = 0; f < 4; f++) {
      const publicIps = Array.from({ length: 10 }, (_, i) => ({ ip: `185.206.${120 + f}.${10 + i}/24`, gw: `185.206.${120 + f}.1` }));
      farms.push(await farmer.farms.create({ name: `bench_farm_${f}`, publicIps }));
    }
    const nodeClients = await Promise.all(
      Array.from({ length: opts.nodes }, (_, i) => c('0x' + (i + 1).toString(16).padStart(64, '0'), 'ed25519')),
    );
    await alice.batch(nodeClients.map((n) => alice.api.tx.balances.transferKeepAlive(n.address, 1000n * TFT)));
    const countries = ['Belgium', 'Egypt', 'Germany', 'Austria', 'Tanzania', 'Brazil'];
    const nodeIds = await Promise.all(
      nodeClients.map(async (n, i) => {
        await n.twins.acceptTerms(TERMS);
        await n.twins.create({ relay: 'relay.dev.grid.tf' });
        return n.nodes.create({
          farmId: farms[i % farms.length]!,
          resources: { hru: 4000 * GiB, sru: (500 + 100 * (i % 5)) * GiB, cru: 4 + (i % 4) * 4, mru: (16 + (i % 4) * 16) * GiB },
          location: { city: `City ${i % 10}`, country: countries[i % countries.length]!, latitude: '51.05', longitude: '3.72' },
          interfaces: [{ name: 'zos', mac: `00:11:22:33:44:${(i % 256).toString(16).padStart(2, '0')}`, ips: [`10.2.0.${i % 250}`] }],
          serialNumber: `SN-${i}`,
        });
      }),
    );
    // Node contracts on the first 80 % of the nodes (some with a public IP), rent contracts on the rest, name contracts.
    const hosting = Math.floor(nodeIds.length * 0.8);
    const contracts: { id: number; node: number }[] = [];
    for (let i = 0; i < hosting * 2; i++) {
      const node = i % hosting;
      const id = await alice.contracts.createNode({
        nodeId: nodeIds[node]!,
        hash: i.toString(16).padStart(32, '0'),
        data: `vm-${i}`,
        publicIps: i % 10 === 0 ? 1 : 0,
      });
      contracts.push({ id, node });
    }
    for (let i = hosting; i < nodeIds.length; i++) await alice.contracts.createRent({ nodeId: nodeIds[i]! });
    for (let i = 0; i < 20; i++) await alice.contracts.createName(`bench${i}`);
    await Promise.all(
      nodeClients
        .slice(0, hosting)
        .map((n, node) =>
          n.contracts.reportResources(
            contracts
              .filter((x) => x.node === node)
              .map((x) => ({ contractId: x.id, used: { hru: 0, sru: 20 * GiB, cru: 1, mru: 2 * GiB } })),
          ),
        ),
    );
    opts.log(
      `  ${nodeIds.length} nodes, ${contracts.length} node contracts, ${nodeIds.length - hosting} rent and 20 name contracts; producing rounds`,
    );
    const boot = Math.floor(Date.now() / 1000);
    const t0 = Date.now();
    for (let round = 0; chain.chain.bestNumber() < opts.blocks; round++) {
      const tr = Date.now();
      await chain.chain.timeTravel({ blocks: Math.min(ROUND_BLOCKS, opts.blocks - chain.chain.bestNumber()) });
      if (process.env.BENCH_TRACE) opts.log(`  travel ${Date.now() - tr} ms`);
      const now = Math.floor(Number((await alice.api.query.timestamp.now()).toString()) / 1000);
      await Promise.all(
        nodeClients.map(async (n, i) => {
          // Every 7th node reboots every 20 rounds: its uptime counter restarts.
          const up = i % 7 === 0 ? (round % 20) * 2400 + 60 : now - boot + 60;
          await n.nodes.reportUptime({ uptime: up, timestampHint: now });
          if (round % 10 === 0 && i < hosting) {
            const mine = contracts.filter((x) => x.node === i);
            await n.contracts.addNruReports(
              mine.map((x) => ({ contractId: x.id, timestamp: now, window: 24000, nru: 1000 * (round + 1) })),
            );
          }
        }),
      );
      if (process.env.BENCH_TRACE) opts.log(`  round ${round} done at ${Date.now() - tr} ms`);
      if (round % 25 === 0) opts.log(`  round ${round}: block ${chain.chain.bestNumber()} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    for (const x of clients) await x.disconnect().catch(() => undefined);
    // Let finality catch up with the head before the store closes.
    await new Promise((r) => setTimeout(r, 1000));
    await chain.stop();
  }
  writeFileSync(path.join(tmp, 'done'), new Date().toISOString());
  renameSync(tmp, dir);
  return { dir, blocks: opts.blocks };
}
