/**
 * A grid on one machine: a bridge in the root namespace stands in for the Internet, each node is
 * a host in its own namespace on it, running the real agent as its own process with its own data
 * directory and storage pool; the dev chain and the explorer run in this process, listening on
 * the bridge address (optionally relayed to 127.0.0.1). No NAT, no forwarding, no default route
 * in the namespaces: they reach the bridge's /24 and nothing else.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { Identity, type LocalAcmeServer } from '@tfgrid/agent';
import { connect, type TfchainClient } from '@tfgrid/client';
import { startDevchain, type Devchain } from '@tfgrid/devchain';
import { startExplorer, type Explorer } from '@tfgrid/explorer';
import { makeHosts, type Host, type Hosts } from '@tfgrid/netns';
import { startGridAcme } from './acme';
import { spawnAgent, type AgentProcess } from './agent-process';
import { bootstrapDevFarm, DEV_FUNDER, nodeIdOf, setDevPublicConfig, syncDevFarmIps, untilListed, type FarmIp } from './bootstrap';
import { LocalGridError } from './errors';
import { checkOptions, type CheckedOptions, type LocalGridOptions } from './options';
import { farmIpPool, isLocalGridFarmIp, localChainSpec, nodePublicConfig } from './public';
import { startRelay, type Relay } from './relay';
import { claimSubnet } from './subnet';

/** Where each agent serves /metrics: loopback of its own namespace (reach it with `ip netns exec`). */
export const NODE_METRICS_ADDRESS = '127.0.0.1:9101';
/** The node's interface on the bridge: zmachines' public IPs go on a macvlan over it (`--public-interface`). */
export const NODE_PUBLIC_INTERFACE = 'eth0';
/** A gateway node's Web Gateway HTTP port (`--gateway-http 0.0.0.0:80`, the agent's default, given so the environment cannot move it). */
const GATEWAY_HTTP_PORT = 80;

export interface LocalNode {
  index: number;
  nodeId: number;
  twinId: number;
  /** The node's account (its identity). */
  address: string;
  ns: string;
  /** Its address on the bridge. */
  ip: string;
  /** Its IPv6 address on the bridge, 2001:2:0:<k>::<i+2> (/64). */
  ip6: string;
  /** Inside its namespace only. */
  metricsUrl: string;
  dataDir: string;
  pool: string;
  /** The agent's JSON log. */
  log: string;
  pid: number;
  /** Its Yggdrasil address, when the overlay runs. */
  planetaryAddress?: string;
  /** Its Yggdrasil listener (node 0 only). */
  planetaryListen?: string;
  /**
   * Always: the chain holds its public config (ip4 = `ip`/24 via `bridgeIp`, ip6 = `ip6`/64 via
   * `bridgeIp6`, plus `domain`); a refusal fails the start.
   */
  publicConfig: true;
  /** A gateway node (its index in `gateways`): its public config has this domain, gateway<i>.localgrid.test. */
  domain?: string;
}

export interface LocalGrid {
  tag: string;
  subnet: number;
  bridge: string;
  bridgeIp: string;
  /** 2001:2:0:<k>::1 on the bridge (/64), the nodes' IPv6 gateway. */
  bridgeIp6: string;
  chainUrl: string;
  chainHttpUrl: string;
  explorerUrl: string;
  /** The same on 127.0.0.1, when `loopback` was asked for. */
  loopback?: { chainUrl: string; explorerUrl: string };
  /** The local ACME CA's directory (pebble on the bridge), when `acme` runs: https://<bridgeIp>:<port>/dir. */
  acmeDirectory?: string;
  /** PEM file: the CA of the ACME API's own TLS certificate (what a client trusts to talk to it). */
  acmeCaFile?: string;
  /** PEM file: the root every certificate the local CA issues chains to (trust it to check a gateway's own-domain certificate). */
  acmeRootFile?: string;
  /** The local ACME CA itself (pebble and its DNS server: `dnsServer`, `pids`), when `acme` runs. */
  acme?: LocalAcmeServer;
  farmId: number;
  /** The farm's public IPs (free or reserved): 198.18.<k>.200/24 - .209/24, gateway `bridgeIp`. */
  publicIps: FarmIp[];
  nodes: LocalNode[];
  hosts: Hosts;
  chain: Devchain;
  explorer: Explorer;
  /** Runs a command inside node `i`'s namespace; returns stdout. */
  exec(i: number, argv: string[], input?: string): string;
  /**
   * Stops node `i`'s agent — SIGTERM (it stops its workloads) or SIGKILL (a crash: its workloads,
   * WireGuard and Yggdrasil processes stay behind) — and starts it again with the same arguments;
   * resolves once it serves its metrics again. `nodes[i].pid` is the new process.
   */
  restartAgent(i: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops the agents (SIGTERM, then SIGKILL), the explorer, the chain; removes every namespace, veth and the bridge. */
  stop(): Promise<void>;
}

export async function startLocalGrid(options: LocalGridOptions & { logger?: Logger; signal?: AbortSignal }): Promise<LocalGrid> {
  const o = checkOptions(options);
  // Aborted (Ctrl-C while starting): the next step throws, and the catch below removes what was made.
  const step = (): void => {
    if (options.signal?.aborted) throw new LocalGridError('aborted', 'the local grid start was aborted');
  };
  const logger = options.logger ?? pino({ level: 'silent' });
  const log = logger.child({ module: 'localgrid' });
  const claim = claimSubnet(o.subnet);
  const parts: {
    hosts?: Hosts;
    chain?: Devchain;
    explorer?: Explorer;
    relays: Relay[];
    agents: AgentProcess[];
    alice?: TfchainClient;
    acme?: LocalAcmeServer;
  } = { relays: [], agents: [] };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await parts.alice?.disconnect().catch(() => undefined);
      await Promise.all(parts.agents.map((a) => a.stop()));
      await parts.acme?.stop();
      for (const r of parts.relays) await r.stop();
      await parts.explorer?.stop().catch((e: Error) => log.warn({ err: e.message }, 'explorer stop failed'));
      await parts.chain?.stop().catch((e: Error) => log.warn({ err: e.message }, 'chain stop failed'));
      parts.hosts?.remove();
      claim.release();
    })());
  try {
    const hosts = (parts.hosts = makeHosts(claim.tag, o.nodes, claim.subnet, { bridgeAddress: true, ipv6: true, mounts: true }));
    const bridgeIp = hosts.bridgeIp!;
    const bridgeIp6 = hosts.bridgeIp6!;
    log.info({ tag: claim.tag, bridge: hosts.bridge, address: bridgeIp, address6: bridgeIp6, nodes: o.nodes }, 'hosts made');
    mkdirSync(o.dataDir, { recursive: true, mode: 0o711 });
    step();
    if (o.acme) {
      const gatewayIp = hosts.hosts[o.gateways[0]!]!.ip;
      parts.acme = await startGridAcme(o.dataDir, bridgeIp, gatewayIp, GATEWAY_HTTP_PORT, logger);
      step();
    }
    const acme = parts.acme;
    const chain = (parts.chain = await startChain(o, bridgeIp, logger));
    const explorer = (parts.explorer = await startExplorer({
      chain: chain.url,
      db: path.join(o.dataDir, 'explorer'),
      port: o.explorerPort,
      host: bridgeIp,
      logger: logger.child({ module: 'explorer' }),
    }));
    step();
    const explorerPort = Number(new URL(explorer.url).port);
    let loopback: LocalGrid['loopback'];
    if (o.loopback) {
      parts.relays.push(
        await startRelay({
          listenHost: '127.0.0.1',
          listenPort: chain.port,
          targetHost: bridgeIp,
          targetPort: chain.port,
          what: 'chain port',
        }),
      );
      parts.relays.push(
        await startRelay({
          listenHost: '127.0.0.1',
          listenPort: explorerPort,
          targetHost: bridgeIp,
          targetPort: explorerPort,
          what: 'explorer port',
        }),
      );
      loopback = { chainUrl: `ws://127.0.0.1:${chain.port}`, explorerUrl: `http://127.0.0.1:${explorerPort}` };
    }

    const dirs = hosts.hosts.map((_, i) => nodeDirs(o.dataDir, i));
    const identities = await Promise.all(dirs.map((d) => Identity.load(d.dataDir)));
    step();
    const boot = await bootstrapDevFarm(
      chain.url,
      o.farmName,
      identities.map((id) => id.address),
    );
    const alice = (parts.alice = await connect({ url: chain.url, secret: DEV_FUNDER }));
    const publicIps = farmIpPool(claim.subnet);
    await refusedAsError(`the farm's public IPs ${publicIps[0]!.ip} - ${publicIps.at(-1)!.ip}`, () =>
      syncDevFarmIps(alice, boot.farmId, publicIps, isLocalGridFarmIp),
    );
    log.info({ farmId: boot.farmId, created: boot.farmCreated, publicIps: publicIps.length }, 'dev farm ready');

    const planetaryListen = `tcp://${hosts.hosts[0]!.ip}:${o.planetaryPort}`;
    const deadline = Date.now() + o.timeoutMs;
    // Gateway nodes order own-domain certificates from the grid's CA.
    const acmeArgs = (i: number): string[] =>
      acme && o.gateways.includes(i) ? ['--acme-directory', acme.directoryUrl, '--acme-ca', acme.caFile] : [];
    const argsOf = (i: number): string[] => [
      ...agentArgs(o, chain.url, boot.farmId, dirs[i]!, i === 0 ? { listen: planetaryListen } : { peer: planetaryListen }),
      ...acmeArgs(i),
    ];
    const nodeIds: number[] = [];
    for (const [i, host] of hosts.hosts.entries()) {
      step();
      const agent = spawnAgent(host.ns, dirs[i]!.dataDir, argsOf(i));
      parts.agents.push(agent);
      // The others peer with node 0: its listener first, so they peer at once.
      if (i === 0 && o.planetary && o.nodes > 1)
        await untilListening(hosts, host, o.planetaryPort, agent, step, `Yggdrasil listening on ${host.ip}:${o.planetaryPort}`);
      // One registration at a time: on a fresh chain node i gets node id i + 1, as the README's examples say.
      nodeIds.push(await until(deadline, agent, step, `node ${i} registered`, () => nodeIdOf(alice, identities[i]!.address)));
    }

    const nodes: LocalNode[] = [];
    for (const [i, host] of hosts.hosts.entries()) {
      const agent = parts.agents[i]!;
      const nodeId = nodeIds[i]!;
      const domain = o.gateways.includes(i) ? `gateway${i}.localgrid.test` : undefined;
      const ip6 = host.ip6!;
      const config = nodePublicConfig({ ip: host.ip, ip6 }, { ip: bridgeIp, ip6: bridgeIp6 }, domain);
      await refusedAsError(`node ${nodeId}'s public config (${JSON.stringify(config)})`, () =>
        setDevPublicConfig(alice, boot.farmId, nodeId, config),
      );
      const node = await until(deadline, agent, step, `node ${i} with its planetary address on chain`, async () => {
        const n = await alice.nodes.get(nodeId);
        return !o.planetary || (n && planetaryOf(n.interfaces)) ? n : undefined;
      });
      const planetaryAddress = planetaryOf(node.interfaces);
      nodes.push({
        index: i,
        nodeId,
        twinId: node.twinId,
        address: identities[i]!.address,
        ns: host.ns,
        ip: host.ip,
        ip6,
        metricsUrl: `http://${NODE_METRICS_ADDRESS}/metrics`,
        dataDir: dirs[i]!.dataDir,
        pool: dirs[i]!.pool,
        log: agent.log,
        pid: agent.pid,
        ...(planetaryAddress ? { planetaryAddress } : {}),
        ...(i === 0 && o.planetary ? { planetaryListen } : {}),
        publicConfig: true,
        ...(domain ? { domain } : {}),
      });
    }
    for (const n of nodes) {
      step();
      const left = Math.max(1000, deadline - Date.now());
      if (!(await untilListed(explorer.url, n.nodeId, new AbortController().signal, left)))
        throw new LocalGridError('timeout', `the explorer did not list node ${n.nodeId} as up in time`);
      // A gateway node starts its Web Gateway once it reads its domain from the chain: up means listening.
      if (n.domain)
        await untilListening(
          hosts,
          hosts.hosts[n.index]!,
          GATEWAY_HTTP_PORT,
          parts.agents[n.index]!,
          step,
          `node ${n.index}'s Web Gateway listening on :${GATEWAY_HTTP_PORT}`,
          deadline,
        );
    }
    log.info({ nodes: nodes.map((n) => n.nodeId) }, 'local grid up');
    return {
      tag: claim.tag,
      subnet: claim.subnet,
      bridge: hosts.bridge,
      bridgeIp,
      bridgeIp6,
      chainUrl: chain.url,
      chainHttpUrl: chain.httpUrl,
      explorerUrl: explorer.url,
      ...(loopback ? { loopback } : {}),
      ...(acme ? { acmeDirectory: acme.directoryUrl, acmeCaFile: acme.caFile, acmeRootFile: acme.rootFile, acme } : {}),
      farmId: boot.farmId,
      publicIps,
      nodes,
      hosts,
      chain,
      explorer,
      exec: (i, argv, input) => hosts.exec(hosts.hosts[i]!, argv, input),
      async restartAgent(i, signal) {
        const host = hosts.hosts[i];
        if (!host || stopping) throw new LocalGridError('bad-option', `no running node ${i} to restart`);
        await parts.agents[i]!.kill(signal);
        const agent = (parts.agents[i] = spawnAgent(host.ns, dirs[i]!.dataDir, argsOf(i)));
        nodes[i]!.pid = agent.pid;
        const metricsPort = Number(NODE_METRICS_ADDRESS.split(':')[1]);
        await untilListening(hosts, host, metricsPort, agent, () => undefined, `node ${i}'s agent serving its metrics again`);
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function nodeDirs(dataDir: string, i: number): { dataDir: string; pool: string } {
  const dir = path.join(dataDir, 'nodes', String(i));
  const pool = path.join(dir, 'pool');
  mkdirSync(pool, { recursive: true, mode: 0o711 });
  return { dataDir: dir, pool };
}

function agentArgs(
  o: CheckedOptions,
  chainUrl: string,
  farmId: number,
  d: { dataDir: string; pool: string },
  planetary: { listen?: string; peer?: string },
): string[] {
  const args = [
    '--chain-url',
    chainUrl,
    '--farm-id',
    String(farmId),
    '--data-dir',
    d.dataDir,
    '--storage-pool',
    d.pool,
    '--metrics-address',
    NODE_METRICS_ADDRESS,
    '--public-interface',
    NODE_PUBLIC_INTERFACE,
    '--gateway-http',
    `0.0.0.0:${GATEWAY_HTTP_PORT}`,
    '--log-level',
    o.logLevel,
  ];
  if (o.hardwareRoot) args.push('--root', o.hardwareRoot);
  if (!o.planetary) args.push('--planetary', 'false');
  else if (planetary.listen) args.push('--planetary-listen', planetary.listen);
  else if (planetary.peer) args.push('--planetary-peer', planetary.peer);
  return args;
}

/** The grid's chain: dev.json with the bridge's range counted public; a data directory made with another spec is named as such. */
async function startChain(o: CheckedOptions, host: string, logger: Logger): Promise<Devchain> {
  const basePath = path.join(o.dataDir, 'devchain');
  try {
    return await startDevchain({ basePath, port: o.chainPort, host, chain: localChainSpec(), logger: logger.child({ module: 'chain' }) });
  } catch (e) {
    const m = (e as Error).message;
    if (!/created with another chain spec/.test(m)) throw e;
    throw new LocalGridError(
      'stale-data',
      `${basePath}: ${m}. It was made by an earlier local grid whose chain did not count 198.18.0.0/15 as public; remove ${o.dataDir} to start afresh`,
    );
  }
}

/** A call //Alice makes on the grid's own chain, which must accept it: a refusal fails the start, naming what was refused. */
async function refusedAsError<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new LocalGridError('chain-refused', `the dev chain refused ${what}: ${(e as Error).message}`);
  }
}

/** A Yggdrasil node address (200::/8; 300::/8 are the routed /64s). */
function planetaryOf(interfaces: { ips: string[] }[]): string | undefined {
  return interfaces.flatMap((i) => i.ips).find((ip) => /^2[0-9a-f]{2}:/i.test(ip));
}

async function until<T>(
  deadline: number,
  agent: AgentProcess,
  step: () => void,
  what: string,
  f: () => Promise<T | undefined>,
): Promise<T> {
  for (;;) {
    step();
    const v = await Promise.race([f(), agent.exited]);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new LocalGridError('timeout', `${what}: not within the start timeout; see ${agent.log}`);
    await Promise.race([new Promise((r) => setTimeout(r, 300)), agent.exited]);
  }
}

function untilListening(
  hosts: Hosts,
  host: Host,
  port: number,
  agent: AgentProcess,
  step: () => void,
  what: string,
  deadline = Date.now() + 60_000,
): Promise<true> {
  return until(deadline, agent, step, `${what} in ${host.ns}`, async () =>
    hosts.exec(host, ['ss', '-H', '-tln', `sport = :${port}`]).trim() ? true : undefined,
  );
}
