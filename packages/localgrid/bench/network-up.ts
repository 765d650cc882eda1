/**
 * Network-up time through the chain and real agents (issue 14; `npm run bench -w
 * packages/localgrid -- network-up [--trials 3]`): a two-node local grid (two agents in their own
 * host namespaces, one dev chain), a deployer's `network` workload on each
 * node in one batch (so both contracts finalize in the same block), and the time from that block
 * finalized (as this process's subscription sees it) to the first ping from node 1's network
 * namespace reaching the bridge address of node 2's subnet over WireGuard. Each trial is a new
 * network; its contracts are cancelled after.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  connect,
  DeploymentBuilder,
  formatIpv4,
  keyFromSecret,
  networkData,
  nodeBoxPublicKey,
  notaryCalls,
  parseCidr4,
  planNetwork,
  prepareDeployment,
  type TfchainClient,
} from '@tfgrid/client';
import { instanceTag, networkId, networkNames } from '@tfgrid/agent';
import { SERVER_FIXTURE } from '@tfgrid/testkit';
import { startLocalGrid, type LocalGrid } from '../src';

/** The agent's fixture hardware (100 GiB and more), so a small machine can host the nodes. */
const FIXTURE_ROOT = SERVER_FIXTURE;
const TERMS = { documentLink: 'https://library.threefold.me/info/legal/#/', documentHash: 'bench' };

const DEPLOYER = '//Charlie';
const PING_DEADLINE_MS = 30_000;

/**
 * A command in network namespace `ns` of the agent `pid`: an agent runs under `ip netns exec`,
 * which gives it a mount namespace of its own, so the namespaces it makes are mounted (under
 * /run/netns) only there — entering its mount namespace first is the way in.
 */
const inAgentNs = (pid: number, ns: string, argv: string[]): Promise<{ ok: boolean; out: string }> =>
  new Promise((resolve) =>
    execFile('nsenter', ['-t', String(pid), '-m', 'ip', 'netns', 'exec', ns, ...argv], { timeout: 5000, encoding: 'utf8' }, (err, out, e) =>
      resolve({ ok: !err, out: out + e }),
    ),
  );

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A twin for the deployer's account (terms accepted first); its id. */
async function newTwin(client: TfchainClient): Promise<number> {
  await client.twins.acceptTerms(TERMS);
  return client.twins.create({ relay: null });
}

/** performance.now() when each block was first seen finalized (a head finalizes those before it too). */
async function followFinalized(client: TfchainClient): Promise<{ at(n: number): number | undefined; stop(): void }> {
  const seen = new Map<number, number>();
  const unsub = await client.api.rpc.chain.subscribeFinalizedHeads((h) => {
    const n = h.number.toNumber();
    for (let b = n; b > 0 && !seen.has(b); b--) seen.set(b, performance.now());
  });
  return { at: (n) => seen.get(n), stop: () => unsub() };
}

const pingOnce = async (pid: number, ns: string, ip: string): Promise<boolean> =>
  (await inAgentNs(pid, ns, ['busybox', 'ping', '-c', '1', '-W', '1', ip])).ok;

/** The last log lines of each agent (why a network did not come up). */
function lastWords(grid: LocalGrid): string {
  return grid.nodes
    .map(
      (n) =>
        `node ${n.nodeId}: ${readFileSync(n.log, 'utf8')
          .trim()
          .split('\n')
          .filter((l) => /network|contract|deploy/i.test(l))
          .slice(-6)
          .map((l) => l.slice(0, 400))
          .join('\n  ')}`,
    )
    .join('\n');
}

export async function measureNetworkUpThroughChain(trials: number): Promise<number[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'net-chain-'));
  let grid: LocalGrid | undefined;
  let deployer: TfchainClient | undefined;
  const out: number[] = [];
  const made: string[] = [];
  try {
    grid = await startLocalGrid({ nodes: 2, dataDir: dir, hardwareRoot: FIXTURE_ROOT, planetary: false, logLevel: 'info' });
    deployer = await connect({ url: grid.chainUrl, secret: DEPLOYER });
    const twinId = await newTwin(deployer);
    const pair = keyFromSecret(DEPLOYER);
    const finalized = await followFinalized(deployer);
    const nodes = grid.nodes;
    const boxKeys = await Promise.all(nodes.map((n) => nodeBoxPublicKey(deployer!.api, n.nodeId)));
    try {
      for (let k = 0; k < trials; k++) {
        const name = `bench${k}`;
        const plan = planNetwork({ name, nodes: nodes.map((n) => ({ nodeId: n.nodeId, endpoint: n.ip })) });
        const prepared = nodes.map((n, i) =>
          prepareDeployment(
            new DeploymentBuilder(twinId, n.nodeId)
              .metadata(name)
              .workload('network', name, { ...networkData(plan, n.nodeId) })
              .build(),
            pair,
            boxKeys[i]!,
          ),
        );
        const calls = nodes.flatMap((n, i) => [
          ...notaryCalls(deployer!.api, prepared[i]!.sealed, n.nodeId, prepared[i]!.hash),
          deployer!.api.tx.smartContractModule.createNodeContract(n.nodeId, prepared[i]!.hash, '', 0, null),
        ]);
        const r = await deployer.batch(calls);
        for (const n of nodes) made.push(networkNames(instanceTag(n.dataDir), networkId(twinId, name)).netns);
        const ns = networkNames(instanceTag(nodes[0]!.dataDir), networkId(twinId, name)).netns;
        const target = formatIpv4(parseCidr4(plan.nodes[1]!.subnet)!.base + 1);
        const start = performance.now();
        while (!(await pingOnce(nodes[0]!.pid, ns, target))) {
          if (performance.now() - start > PING_DEADLINE_MS) {
            const wg = (await inAgentNs(nodes[0]!.pid, ns, ['wg', 'show'])).out;
            const routes = (await inAgentNs(nodes[0]!.pid, ns, ['ip', 'route'])).out;
            throw new Error(
              `network ${name}: no ping from node 1 (${ns}) to ${target} within ${PING_DEADLINE_MS} ms; wg: ${wg}\nroutes: ${routes}\nthe agents' last words:\n${lastWords(grid)}`,
            );
          }
          await sleep(20);
        }
        const passed = performance.now();
        const fin = finalized.at(r.blockNumber!);
        if (fin === undefined) throw new Error(`block ${r.blockNumber} of the contracts not seen finalized`);
        out.push(passed - fin);
        console.log(`chain trial ${k + 1}: contracts finalized → network passing traffic ${(passed - fin).toFixed(0)} ms`);
        for (const n of nodes) {
          const id = await deployer.contracts.idByNodeAndHash(n.nodeId, prepared[nodes.indexOf(n)]!.hash);
          if (id !== undefined)
            await deployer.contracts.cancel(id).catch((e: unknown) => console.error(`cancel ${id}: ${(e as Error).message}`));
        }
      }
    } finally {
      finalized.stop();
    }
  } finally {
    await deployer?.disconnect().catch(() => undefined);
    await grid?.stop();
    // A network the agents did not remove (a failed trial) leaves its mount point under /run/netns.
    for (const ns of made) if (existsSync(`/run/netns/${ns}`)) execFileSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function runNetworkUpBench(trials: number): Promise<void> {
  if (!Number.isInteger(trials) || trials < 1 || trials > 20) throw new Error(`--trials must be 1-20, got ${trials}`);
  const out = await measureNetworkUpThroughChain(trials);
  console.log(
    `network up through the chain (two agents on a local grid): contracts finalized → first ping median ${median(out).toFixed(0)} ms [${out.map((x) => x.toFixed(0)).join(', ')}] (target < 3000 ms)`,
  );
}
