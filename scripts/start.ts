/**
 * `npm start`: the whole capacity layer on this machine, in the foreground.
 *   1. the dev chain, persistent in <data>/devchain (ws://127.0.0.1:9944)
 *   2. the explorer indexing it, in <data>/explorer (http://127.0.0.1:8080, Swagger UI at /swagger)
 *   3. an agent on this machine's real hardware, in <data>/agent (metrics 127.0.0.1:9101), registered
 *      into farm "devfarm" that //Alice creates and funds on first run
 * A second start resumes all three (same chain, same farm, same node). Ctrl-C stops everything.
 *
 * Flags (or env): --data-dir (TFGRID_DATA_DIR, ./data), --chain-port (TFGRID_CHAIN_PORT, 9944),
 * --explorer-port (TFGRID_EXPLORER_PORT, 8080), --agent-metrics-port (TFGRID_AGENT_METRICS_PORT, 9101),
 * --farm-name (TFGRID_FARM_NAME, devfarm), --log-level (TFGRID_LOG_LEVEL, info); ports may be 0 (any free).
 * Also a dev image server (start-images.ts) for zmachines: --images-port (TFGRID_IMAGES_PORT, 9180).
 * --nodes N (TFGRID_NODES, 1): N > 1 runs a grid on one machine instead of step 3 (start-grid.ts):
 * N agents, each in its own network namespace on bridge 198.18.<--subnet>.0/24 (TFGRID_SUBNET, 100).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, Identity, loadConfig } from '@tfgrid/agent';
import { startDevchain, type Devchain } from '@tfgrid/devchain';
import { startExplorer, type Explorer } from '@tfgrid/explorer';
import { bootstrapDevFarm, MAX_NODES, retryUntil, untilListed } from '@tfgrid/localgrid';
import { gridSummary, startGrid, START_GRID_SUBNET, type StartedGrid } from './start-grid';
import { startDevImages, type DevImages } from './start-images';
import { lockDataDir } from './start-lock';
import { clock, lineLogger } from './start-log';

const say = (msg: string): void => void process.stdout.write(`${clock()} start     ${msg}\n`);

function options() {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'chain-port': { type: 'string' },
      'explorer-port': { type: 'string' },
      'agent-metrics-port': { type: 'string' },
      'images-port': { type: 'string' },
      'farm-name': { type: 'string' },
      'log-level': { type: 'string' },
      nodes: { type: 'string' },
      subnet: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      `npm start [-- --data-dir DIR --chain-port N --explorer-port N --agent-metrics-port N --images-port N --farm-name NAME --log-level LEVEL --nodes N --subnet K]\n`,
    );
    process.exit(0);
  }
  const env = process.env;
  const port = (flag: string | undefined, e: string | undefined, def: number, what: string): number => {
    const v = flag ?? e;
    const n = v === undefined || v === '' ? def : Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${what} must be a port number 0-65535, got '${v}'`);
    return n;
  };
  const count = (v: string | undefined, def: number, min: number, max: number, what: string): number => {
    const n = v === undefined || v === '' ? def : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${what} must be an integer ${min}-${max}, got '${v}'`);
    return n;
  };
  return {
    dataDir: path.resolve(values['data-dir'] ?? env.TFGRID_DATA_DIR ?? 'data'),
    chainPort: port(values['chain-port'], env.TFGRID_CHAIN_PORT, 9944, '--chain-port'),
    explorerPort: port(values['explorer-port'], env.TFGRID_EXPLORER_PORT, 8080, '--explorer-port'),
    metricsPort: port(values['agent-metrics-port'], env.TFGRID_AGENT_METRICS_PORT, 9101, '--agent-metrics-port'),
    imagesPort: port(values['images-port'], env.TFGRID_IMAGES_PORT, 9180, '--images-port'),
    farmName: values['farm-name'] ?? env.TFGRID_FARM_NAME ?? 'devfarm',
    logLevel: values['log-level'] ?? env.TFGRID_LOG_LEVEL ?? 'info',
    nodes: count(values.nodes ?? env.TFGRID_NODES, 1, 1, MAX_NODES, '--nodes'),
    subnet: count(values.subnet ?? env.TFGRID_SUBNET, START_GRID_SUBNET, 1, 254, '--subnet'),
  };
}

async function main(): Promise<void> {
  const o = options();
  const stopping = new AbortController();
  let chain: Devchain | undefined;
  let explorer: Explorer | undefined;
  let agent: Agent | undefined;
  let images: DevImages | undefined;
  let grid: StartedGrid | undefined;
  let gridStarting: Promise<StartedGrid> | undefined;

  let stopped: Promise<void> | undefined;
  const stop = (signal: string): Promise<void> =>
    (stopped ??= (async () => {
      say(`${signal}: stopping the agent, the explorer and the chain …`);
      stopping.abort();
      // Reverse order: the agent and the explorer talk to the chain.
      // A grid still starting sees the abort and removes what it made.
      const started = await gridStarting?.catch(() => undefined);
      await (grid ?? started)?.stop().catch((e: Error) => say(`grid stop failed: ${e.message}`));
      await agent?.stop().catch((e: Error) => say(`agent stop failed: ${e.message}`));
      await explorer?.stop().catch((e: Error) => say(`explorer stop failed: ${e.message}`));
      await chain?.stop().catch((e: Error) => say(`chain stop failed: ${e.message}`));
      await images?.stop();
      say('stopped');
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopped) {
        say('second signal: exiting now');
        process.exit(1);
      }
      void stop(sig).then(
        () => process.exit(0),
        (e: Error) => {
          say(`stop failed: ${e.message}`);
          process.exit(1);
        },
      );
    });
  }

  mkdirSync(o.dataDir, { recursive: true, mode: 0o711 });
  // Before anything opens the databases: a second instance is told who holds the directory.
  const lock = lockDataDir(o.dataDir);
  say(
    `data in ${o.dataDir}${lock.tookOverFrom !== undefined ? ` (took over the stale lock of pid ${lock.tookOverFrom}, which is gone)` : ''}`,
  );
  if (o.nodes > 1) {
    // The grid runs its own chain and explorer (on its bridge, relayed to loopback).
    images = await startDevImages({ dir: path.join(o.dataDir, 'images'), port: o.imagesPort });
    say(`${o.nodes} nodes in network namespaces on 198.18.${o.subnet}.0/24 …`);
    gridStarting = startGrid(
      {
        nodes: o.nodes,
        dataDir: o.dataDir,
        chainPort: o.chainPort,
        explorerPort: o.explorerPort,
        subnet: o.subnet,
        logLevel: o.logLevel,
        farmName: o.farmName,
      },
      images,
      stopping.signal,
    );
    grid = await gridStarting.catch((e: Error) => {
      if (stopping.signal.aborted) return undefined;
      throw e;
    });
    if (!grid || stopping.signal.aborted) return;
    process.stdout.write(gridSummary(grid, o.farmName, images.sha256));
    return;
  }
  chain = await startDevchain({ basePath: path.join(o.dataDir, 'devchain'), port: o.chainPort, logger: lineLogger('chain', o.logLevel) });
  say(`chain RPC ${chain.url} (genesis ${chain.chain.genesisHash.slice(0, 10)}…)`);
  if (stopping.signal.aborted) return;

  explorer = await startExplorer({
    chain: chain.url,
    db: path.join(o.dataDir, 'explorer'),
    port: o.explorerPort,
    logger: lineLogger('explorer', o.logLevel),
  });
  say(`explorer API ${explorer.url}`);
  if (stopping.signal.aborted) return;

  images = await startDevImages({ dir: path.join(o.dataDir, 'images'), port: o.imagesPort });
  say(`dev image ${images.url} (sha256 ${images.sha256}${images.built ? ', built from busybox-static' : ''})`);
  if (stopping.signal.aborted) return;

  // The agent's identity decides its account: fund it and make sure the farm exists before it registers.
  const agentDir = path.join(o.dataDir, 'agent');
  const pool = path.join(agentDir, 'pool');
  mkdirSync(pool, { recursive: true, mode: 0o711 });
  const identity = await Identity.load(agentDir);
  const boot = await retryUntil(
    () => bootstrapDevFarm(chain!.url, o.farmName, identity.address),
    stopping.signal,
    (e) => say(`setup retry: ${e.message}`),
  );
  say(
    `farm ${boot.farmId} "${o.farmName}" ${boot.farmCreated ? 'created by //Alice' : 'found'}${boot.funded ? `; node account ${identity.address} funded` : ''}`,
  );

  const { config } = loadConfig([
    '--chain-url',
    chain.url,
    '--farm-id',
    String(boot.farmId),
    '--data-dir',
    agentDir,
    '--storage-pool',
    pool,
    '--metrics-address',
    `127.0.0.1:${o.metricsPort}`,
    '--log-level',
    o.logLevel,
  ]);
  agent = new Agent(config, { logger: lineLogger('agent', o.logLevel) });
  await agent.start();
  const reg = await Promise.race([
    agent.registered,
    new Promise<undefined>((r) => stopping.signal.addEventListener('abort', () => r(undefined))),
  ]);
  if (!reg) return;
  if (!(await untilListed(explorer.url, reg.nodeId, stopping.signal))) say(`the explorer does not list node ${reg.nodeId} as up yet`);
  if (stopping.signal.aborted) return;
  const metrics = agent.status().metricsAddress;
  const http = explorer.url;
  process.stdout.write(
    [
      '',
      `tfgrid is running — node ${reg.nodeId} (twin ${reg.twinId}) in farm ${boot.farmId} "${o.farmName}"`,
      `  chain RPC       ${chain.url}   (HTTP ${chain.httpUrl}, metrics ${chain.httpUrl}/metrics)`,
      `  explorer page   ${http}/   (the grid in a browser: nodes, farms, rewards, live)`,
      `  explorer API    ${http}   (Swagger UI ${http}/swagger, metrics ${http}/metrics)`,
      `  agent metrics   http://${metrics}/metrics`,
      `  dev image       ${images.url}   sha256 ${images.sha256}`,
      // On other ports the CLI is pointed here by env, so the README's commands work unchanged.
      ...(o.chainPort === 9944 && o.explorerPort === 8080
        ? []
        : [`  point the CLI   export TFGRID_URL=${chain.url} TFGRID_EXPLORER=${http}`]),
      '  try             npx tfgrid status',
      '                  npx tfgrid nodes find',
      'Ctrl-C stops everything; `npm start` again resumes.',
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`npm start: ${(e as Error).message}\n`);
  process.exit(1);
});
