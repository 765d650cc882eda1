/**
 * What the agent benchmarks set up alike: a temp directory, a dev chain in this process with a
 * farm (//Bob) and a deployer twin (//Charlie), the agent as its own process (bin/tfgrid-agent.js
 * with its shebang's node flags, as a farmer starts it) registered as a node, finalization times
 * as this process sees them, a contract's wait until it runs, the agent's idle usage, and the
 * teardown of all of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHAIN_SPEC, loadChainSpec, startDevchain, type Devchain } from '@tfgrid/devchain';
import { connect, TFT, type TfchainClient } from '@tfgrid/client';
import { Identity } from '../src';
import { FIXTURE_ROOT, TERMS } from '../test/support/grid';
import { CLK_TCK, median, sampleProc, sleep, waitFor, workloadOk } from './measure';

export { FIXTURE_ROOT, MiB, TERMS } from '../test/support/grid';

const BIN = path.join(__dirname, '..', 'bin', 'tfgrid-agent.js');
/** After the last contract: its resource report and its blocks settle before idle is measured. */
const SETTLE_MS = 15_000;

/** A twin for `client`'s account (terms accepted first); its id. */
export async function newTwin(client: TfchainClient): Promise<number> {
  await client.twins.acceptTerms(TERMS);
  return client.twins.create({ relay: null });
}

export interface FinalizedTimes {
  /** performance.now() when block `n` was first seen finalized (a head finalizes the blocks before it too). */
  at(n: number): number | undefined;
  stop(): void;
}

/** Follows `client`'s finalized heads from now on. */
export async function followFinalized(client: TfchainClient): Promise<FinalizedTimes> {
  const seen = new Map<number, number>();
  const unsub = await client.api.rpc.chain.subscribeFinalizedHeads((h) => {
    const n = h.number.toNumber();
    for (let b = n; b > 0 && !seen.has(b); b--) seen.set(b, performance.now());
  });
  return { at: (n) => seen.get(n), stop: () => unsub() };
}

export interface Running {
  /** performance.now() when the contract's workloads were first seen ok on disk. */
  stateOk: number;
  /** … and when `answering()` first held. */
  answering: number;
}

/**
 * Polls (every 5 ms, up to `timeoutMs`) until every workload in `stateFile` is ok and `answering()`
 * holds — asked only once the state is ok when `afterOk` (it reads an address from the state).
 */
export async function waitRunning(
  stateFile: string,
  answering: () => Promise<boolean>,
  o: { timeoutMs: number; afterOk?: boolean },
): Promise<Running | undefined> {
  let stateOk: number | undefined;
  let answered: number | undefined;
  const end = performance.now() + o.timeoutMs;
  while ((stateOk === undefined || answered === undefined) && performance.now() < end) {
    if (stateOk === undefined && workloadOk(stateFile)) stateOk = performance.now();
    if (answered === undefined && (stateOk !== undefined || !o.afterOk) && (await answering())) answered = performance.now();
    if (stateOk === undefined || answered === undefined) await sleep(5);
  }
  return stateOk !== undefined && answered !== undefined ? { stateOk, answering: answered } : undefined;
}

export interface IdleUsage {
  rssMedian: number;
  rssPeak: number;
  cpuPct: number;
}

/** The process's resident memory (sampled every second) and CPU over `idleSecs`, after letting the last work settle. */
export async function idleUsage(pid: number, idleSecs: number): Promise<IdleUsage> {
  await sleep(SETTLE_MS);
  const before = sampleProc(pid);
  const t0 = performance.now();
  const rss: number[] = [];
  let peak = before.rss;
  while (performance.now() - t0 < idleSecs * 1000) {
    await sleep(1000);
    const s = sampleProc(pid);
    rss.push(s.rss);
    peak = Math.max(peak, s.rss);
  }
  const after = sampleProc(pid);
  const cpuPct = ((after.cpuTicks - before.cpuTicks) / CLK_TCK / ((performance.now() - t0) / 1000)) * 100;
  return { rssMedian: median(rss), rssPeak: peak, cpuPct };
}

/** The chain a BenchGrid started. */
export interface BenchChain {
  url: string;
  /** The funding account //Alice. */
  alice: TfchainClient;
  /** //Charlie, with its twin. */
  deployer: TfchainClient;
  twinId: number;
  /** //Bob's farm. */
  farmId: number;
  /** The node's account (the identity in the data directory), funded. */
  nodeAddress: string;
}

export interface BenchAgent {
  pid: number;
  nodeId: number;
  /** The node flags it runs with. */
  nodeFlags: string[];
}

/** The bench's directory, chain, clients and agent process; close() removes them all. */
export class BenchGrid {
  /** The temp directory (mode 0711: the unprivileged workload user passes through it). */
  readonly base: string;
  readonly dataDir: string;
  readonly #clients: TfchainClient[] = [];
  #chain: Devchain | undefined;
  #agent: ChildProcess | undefined;
  #chainParts: BenchChain | undefined;

  constructor(prefix: string) {
    this.base = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    chmodSync(this.base, 0o711);
    this.dataDir = path.join(this.base, 'data');
  }

  get chain(): BenchChain {
    if (!this.#chainParts) throw new Error('startChain() first');
    return this.#chainParts;
  }

  /** A dev chain sealing a block every `blockMs`, a farmer's farm named `farmName`, a deployer twin, and the node's account funded. */
  async startChain(blockMs: number, farmName: string): Promise<void> {
    this.#chain = await startDevchain({ port: 0, chain: loadChainSpec(DEFAULT_CHAIN_SPEC), blockTimeMs: blockMs });
    const url = this.#chain.url;
    const alice = await connect({ url, secret: '//Alice' });
    const farmer = await connect({ url, secret: '//Bob' });
    const deployer = await connect({ url, secret: '//Charlie' });
    this.#clients.push(alice, farmer, deployer);
    const [twinId] = await Promise.all([newTwin(deployer), newTwin(farmer)]);
    const farmId = await farmer.farms.create({ name: farmName });
    const nodeAddress = (await Identity.load(this.dataDir)).address;
    await alice.balances.transfer({ to: nodeAddress, amount: 100n * TFT });
    this.#chainParts = { url, alice, deployer, twinId, farmId, nodeAddress };
  }

  /**
   * Spawns the agent on fixture hardware with `args` after the common ones (chain, farm, data
   * directory, metrics on loopback, warn logs) and the node flags of the bin's shebang plus
   * BENCH_AGENT_NODE_OPTIONS (e.g. --cpu-prof); resolves once it registered as a node.
   */
  async startAgent(args: string[]): Promise<BenchAgent> {
    const { url, farmId, alice, nodeAddress } = this.chain;
    const argv = [
      BIN,
      '--chain-url',
      url,
      '--farm-id',
      String(farmId),
      '--data-dir',
      this.dataDir,
      '--root',
      FIXTURE_ROOT,
      '--metrics-address',
      '127.0.0.1:0',
      '--log-level',
      'warn',
      ...args,
    ];
    const shebang = readFileSync(BIN, 'utf8')
      .split('\n')[0]!
      .split(/\s+/)
      .filter((w) => w.startsWith('--'));
    const nodeFlags = [...shebang, ...(process.env.BENCH_AGENT_NODE_OPTIONS ?? '').split(' ').filter(Boolean)];
    this.#agent = spawn(process.execPath, [...nodeFlags, ...argv], { stdio: ['ignore', 'ignore', 'inherit'] });
    const nodeId = await waitFor(async () => alice.nodes.idByTwin((await alice.twins.idOf(nodeAddress)) ?? 0), 120_000);
    return { pid: this.#agent.pid!, nodeId, nodeFlags };
  }

  /** Where the agent keeps the states of the contract's workloads. */
  stateFile(contractId: number): string {
    return path.join(this.dataDir, 'workload-states', `${String(contractId).padStart(12, '0')}.json`);
  }

  /** SIGTERM to the agent, and its exit. */
  async stopAgent(): Promise<void> {
    const agent = this.#agent;
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((r) => agent.once('exit', r));
      agent.kill('SIGTERM');
      await exited;
    }
    this.#agent = undefined;
  }

  /** The agent, the clients, the chain and the directory. */
  async close(): Promise<void> {
    await this.stopAgent();
    for (const c of this.#clients) await c.disconnect().catch(() => undefined);
    await this.#chain?.stop();
    rmSync(this.base, { recursive: true, force: true });
  }
}
