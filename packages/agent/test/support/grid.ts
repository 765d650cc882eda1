/**
 * Helpers for the agent's chain tests: a dev chain with a short billing cycle, a farmer and a
 * farm, agents on fixture hardware with a temp data directory and storage pool, a deployer that
 * seals deployments into the notary and creates their contracts, and dev RPC calls.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { DEFAULT_CHAIN_SPEC, loadChainSpec, type Devchain, type DevchainOptions } from '@tfgrid/devchain';
import {
  freePort,
  LOCATION,
  SERVER_FIXTURE,
  setupDeployer,
  setupFarmer,
  startChain as startKitChain,
  startGrid,
  TERMS,
  unmountUnder,
  until,
  type Disconnects,
} from '@tfgrid/testkit';
import {
  DeploymentBuilder,
  nodeBoxPublicKey,
  notaryCalls,
  prepareDeployment,
  TFT,
  type Deployment,
  type KeyringPair,
  type TfchainClient,
} from '@tfgrid/client';
export { freePort, until } from '@tfgrid/testkit';
export { TERMS };
import { Agent, DEFAULTS, type AgentConfig, type AgentOptions } from '../../src';

export const FIXTURE_ROOT = SERVER_FIXTURE;
export const MiB = 1024 ** 2;

/** The dev chain spec with a billing cycle of `billingFrequency` blocks (default 5). */
export function testSpec(billingFrequency = 5, gracePeriodBlocks = 201_600): ReturnType<typeof loadChainSpec> {
  const spec = loadChainSpec(DEFAULT_CHAIN_SPEC);
  spec.genesis.smartContractModule = { ...(spec.genesis.smartContractModule as object), billingFrequency, gracePeriodBlocks };
  return spec;
}

export function startChain(o: DevchainOptions = {}): Promise<Devchain> {
  return startKitChain({ chain: testSpec(), ...o });
}

/** A dev_* JSON-RPC call over HTTP. */
export async function devRpc(chain: { httpUrl: string }, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(chain.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** Produces `n` blocks 6 s apart (chain time moves with them). */
export const blocks = (chain: { httpUrl: string }, n: number): Promise<unknown> => devRpc(chain, 'dev_timeTravel', [{ blocks: n }]);

/** A farmer (`secret`) with a twin and a farm; answers the farm id. */
export async function setupFarm(url: string, secret = '//Bob', name = 'agent_farm'): Promise<{ client: TfchainClient; farmId: number }> {
  const { client, farmId } = await setupFarmer(url, { secret, name });
  return { client, farmId };
}

export interface TempDirs {
  dataDir: string;
  pool: string;
  cleanup(): void;
}

/** A data directory and a storage pool, readable by the unprivileged workload user. */
export function tempDirs(tag = 'agent'): TempDirs {
  const base = mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
  const dataDir = path.join(base, 'data');
  const pool = path.join(base, 'pool');
  mkdirSync(pool, { recursive: true });
  chmodSync(base, 0o711);
  const cleanup = (): void => {
    unmountUnder(base); // an agent's volumes stay mounted when it stops, as on a real node
    rmSync(base, { recursive: true, force: true });
  };
  return { dataDir, pool, cleanup };
}

export function agentConfig(o: { url: string; farmId: number; dirs: TempDirs } & Partial<AgentConfig>): AgentConfig {
  const { url, farmId, dirs, ...rest } = o;
  return {
    ...DEFAULTS,
    chainUrl: url,
    farmId,
    dataDir: dirs.dataDir,
    storagePools: [dirs.pool],
    root: FIXTURE_ROOT,
    metricsAddress: '127.0.0.1:0',
    uptimeIntervalSec: 3600,
    nruIntervalSec: 3600,
    reconcileIntervalSec: 3600,
    location: LOCATION,
    // These agents' workloads run host commands (node servers); zmachine tests use runc directly.
    workloadRuntime: 'process',
    ...rest,
  };
}

export const quietLogger = (): pino.Logger => pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' });

export function newAgent(config: AgentConfig, o: Partial<AgentOptions> = {}): Agent {
  return new Agent(config, { logger: quietLogger(), retryMinMs: 200, retryMaxMs: 1000, fundsPollMs: 200, eventsPollMs: 500, ...o });
}

/**
 * Starts the agent, waits until it has an address, funds it from `funder` (100 TFT) and resolves
 * with the node id it registers as (the agent is the caller's from the start, to stop on failure).
 */
export async function startFunded(agent: Agent, funder: TfchainClient): Promise<number> {
  await agent.start();
  await until('agent.status().address !== undefined', () => agent.status().address !== undefined, 30_000);
  await funder.balances.transfer({ to: agent.status().address!, amount: 100n * TFT });
  return (await agent.registered).nodeId;
}

/**
 * Starts the agent, waits until it asks for funds, funds it from `funder` (100 TFT) and resolves
 * with the node id it registers as.
 */
export async function startRegistered(agent: Agent, funder: TfchainClient): Promise<number> {
  await agent.start();
  await until('waiting for funds', () => agent.status().state === 'registering', 20_000);
  await funder.balances.transfer({ to: agent.status().address!, amount: 100n * TFT });
  return (await agent.registered).nodeId;
}

/**
 * An agent serving its gateway on loopback ports (local backends allowed) on `grid`'s farm,
 * registered as a node (funded from Alice), that the farmer makes a gateway node: a public config
 * with `domain`.
 */
export async function startGatewayNode(
  grid: Pick<AgentGrid, 'chain' | 'alice' | 'farmer' | 'farmId'>,
  o: {
    dirs: TempDirs;
    domain: string;
    /** The HTTP port (default: a free one), e.g. the one a local ACME server checks HTTP-01 on. */
    httpPort?: number;
    /** More of the agent's config (the ACME directory, …). */
    config?: Partial<AgentConfig>;
  },
): Promise<{ agent: Agent; nodeId: number; httpPort: number; httpsPort: number }> {
  const httpPort = o.httpPort ?? (await freePort());
  const httpsPort = await freePort();
  const agent = newAgent(
    agentConfig({
      url: grid.chain.url,
      farmId: grid.farmId,
      dirs: o.dirs,
      gatewayHttpAddress: `127.0.0.1:${httpPort}`,
      gatewayHttpsAddress: `127.0.0.1:${httpsPort}`,
      gatewayAllowLocalBackends: true,
      ...o.config,
    }),
  );
  const nodeId = await startRegistered(agent, grid.alice);
  await grid.farmer.nodes.setPublicConfig({
    farmId: grid.farmId,
    nodeId,
    config: { ip4: { ip: '185.206.122.33/24', gw: '185.206.122.1' }, ip6: null, domain: o.domain },
  });
  return { agent, nodeId, httpPort, httpsPort };
}

export interface TextBackend {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/** A backend for gateway tests: an HTTP server on a free loopback port answering `text(req)`. */
export async function serveText(text: (req: http.IncomingMessage) => string): Promise<TextBackend> {
  const server = http.createServer((req, res) => res.end(text(req)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

type Reply = { status: number; body: string };

/** One GET (`get` is http's or https's) answering the status and the body; `timeout` names it when it takes over 5 s. */
function replyOf(
  get: (o: https.RequestOptions, cb: (res: http.IncomingMessage) => void) => http.ClientRequest,
  o: https.RequestOptions,
  timeout: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = get({ ...o, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(timeout)));
  });
}

/** One request to the gateway on 127.0.0.1:`port` with the given Host header. */
export function viaGateway(port: number, host: string): Promise<Reply> {
  return replyOf(http.get, { host: '127.0.0.1', port, path: '/hello', headers: { host } }, 'gateway request timed out');
}

/** One HTTPS request to 127.0.0.1:`port` for `host` (SNI and Host), trusting only `ca`. */
export function viaHttps(port: number, host: string, ca: string, path = '/hello'): Promise<Reply> {
  return replyOf(https.get, { host: '127.0.0.1', port, servername: host, path, headers: { host }, ca }, 'https request timed out');
}

/** A deployer: an sr25519 account funded from //Alice with a twin. */
export class Deployer {
  readonly client: TfchainClient;
  readonly pair: KeyringPair;
  readonly twinId: number;

  private constructor(client: TfchainClient, pair: KeyringPair, twinId: number) {
    this.client = client;
    this.pair = pair;
    this.twinId = twinId;
  }

  static async create(url: string, alice: TfchainClient, secret: string, funds = 1000n * TFT): Promise<Deployer> {
    const { client, pair, twinId } = await setupDeployer(url, alice, secret, { funds });
    return new Deployer(client, pair, twinId);
  }

  builder(nodeId: number): DeploymentBuilder {
    return new DeploymentBuilder(this.twinId, nodeId);
  }

  /**
   * The client's deploy path (sign, seal to the node, notary + contract in one batch); answers the
   * contract id and hash. The options tamper with it for fault tests: seal to another key, sign
   * with another key, store under another hash, alter the sealed bytes.
   */
  async deploy(
    nodeId: number,
    d: Deployment,
    o: { sealTo?: Uint8Array; signer?: KeyringPair; hash?: string; sealed?: (b: Uint8Array) => Uint8Array } = {},
  ): Promise<{ contractId: number; hash: string }> {
    if (!o.sealTo && !o.signer && !o.hash && !o.sealed) {
      const { contractId, hash } = await this.client.deployments.create(d);
      return { contractId, hash };
    }
    const api = this.client.api;
    const p = prepareDeployment(d, o.signer ?? this.pair, o.sealTo ?? (await nodeBoxPublicKey(api, nodeId)));
    const hash = o.hash ?? p.hash;
    const sealed = o.sealed ? o.sealed(p.sealed) : p.sealed;
    // Stored under the contract's hash (a wrong hash stores the deployment where the node will look).
    await this.client.batch([
      ...notaryCalls(api, sealed, nodeId, hash),
      api.tx.smartContractModule.createNodeContract(nodeId, hash, '', 0, null),
    ]);
    const contractId = await this.client.contracts.idByNodeAndHash(nodeId, hash);
    if (contractId === undefined) throw new Error('contract not found after creation');
    return { contractId, hash };
  }

  disconnect(): Promise<void> {
    return this.client.disconnect();
  }
}

/** A vm entrypoint: a node HTTP server on 127.0.0.1:`port` answering `body`. */
export function httpServerEntrypoint(port: number, body: string): string {
  const js = `require('http').createServer((q,s)=>s.end(${JSON.stringify(body)})).listen(${port},'127.0.0.1')`;
  return `exec ${process.execPath} -e "${js.replace(/"/g, '\\"')}"`;
}

/**
 * `deployer`'s deployment `name` (its metadata) for `nodeId`: one vm `o.vm` (default worker) of
 * `o.cpu` cpus (default 1), 256 MiB and 8 MiB of disk that sleeps.
 */
export function sleepingVm(deployer: Deployer, nodeId: number, name: string, o: { vm?: string; cpu?: number } = {}): Deployment {
  return deployer
    .builder(nodeId)
    .metadata(name)
    .vm(o.vm ?? 'worker', {
      flist: 'https://hub.grid.tf/tf-official-apps/base:latest.flist',
      compute_capacity: { cpu: o.cpu ?? 1, memory: 256 * MiB },
      size: 8 * MiB,
      entrypoint: 'sleep 600',
    })
    .build();
}

/**
 * `deployer`'s deployment for `nodeId` of a volume `data` (`o.volume` bytes) and a vm `web`
 * (`o.size` bytes, 1 cpu, 256 MiB) serving `o.body` on 127.0.0.1:`o.port`, the volume on /data.
 */
export function webDeployment(
  deployer: Deployer,
  nodeId: number,
  o: { port: number; body: string; volume: number; size: number },
): Deployment {
  return deployer
    .builder(nodeId)
    .volume('data', { size: o.volume })
    .vm('web', {
      flist: 'https://hub.grid.tf/tf-official-apps/base:latest.flist',
      compute_capacity: { cpu: 1, memory: 256 * MiB },
      size: o.size,
      entrypoint: httpServerEntrypoint(o.port, o.body),
      mounts: [{ name: 'data', mountpoint: '/data' }],
    })
    .build();
}

/** The body served at `port`, or undefined if nothing answers within `ms`. */
export async function httpGet(port: number, ms = 1000): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(ms) });
    return await res.text();
  } catch {
    return undefined;
  }
}

/** The metrics text of an agent. */
export async function scrape(agent: Agent): Promise<string> {
  return (await fetch(`http://${agent.status().metricsAddress}/metrics`)).text();
}

/** The value of one sample line (`name{labels}`) in a metrics text, or undefined. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
}

export interface AgentGrid {
  /** The chain (a test restarting it sets the new one here, for `stop`). */
  chain: Devchain;
  /** //Alice's client: pays the agents and the deployers. */
  alice: TfchainClient;
  /** The farmer's (//Bob's) client and farm. */
  farmer: TfchainClient;
  farmId: number;
  /** The deployers asked for, in order. */
  deployers: Deployer[];
  /** Keeps `c` to be disconnected by `stop`; answers it. */
  track<C extends Disconnects>(c: C): C;
  /** Disconnects Alice, the farmer, the deployers and the tracked clients, then stops the chain. */
  stop(): Promise<void>;
}

/**
 * The agent chain tests' grid: the test chain (`o.chain` on top of a short billing cycle), //Alice,
 * //Bob's farm `o.farm` (default agent_farm) and deployers `[secret, funds]` funded from Alice.
 */
export async function startAgentGrid(
  o: { chain?: DevchainOptions; farm?: string; deployers?: [secret: string, funds: bigint][] } = {},
): Promise<AgentGrid> {
  const grid = await startGrid({ chain: { chain: testSpec(), ...o.chain }, farmer: { secret: '//Bob', name: o.farm ?? 'agent_farm' } });
  try {
    const deployers: Deployer[] = [];
    for (const [secret, funds] of o.deployers ?? [])
      deployers.push(grid.track(await Deployer.create(grid.chain.url, grid.alice, secret, funds)));
    return Object.assign(grid, { farmer: grid.farmer.client, farmId: grid.farmer.farmId, deployers });
  } catch (e) {
    await grid.stop().catch(() => undefined);
    throw e;
  }
}
