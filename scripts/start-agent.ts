/**
 * The agent's entry point in docker-compose: on a dev chain, makes sure farm $TFGRID_FARM_NAME
 * (default devfarm) exists and the node's account is funded (from //Alice), then runs the agent
 * with its usual flags and TFGRID_AGENT_* environment.
 */
import { Agent, ConfigError, helpText, Identity, loadConfig } from '@tfgrid/agent';
import { chainUrlOf } from '@tfgrid/agent';
import { bootstrapDevFarm, retryUntil } from '@tfgrid/localgrid';
import { lineLogger } from './start-log';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let { config } = loadConfig(argv);
  const log = lineLogger('agent', config.logLevel);
  const stop = new AbortController();
  let agent: Agent | undefined;
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    stop.abort();
    void (agent?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (config.farmId === undefined) {
    const identity = await Identity.load(config.dataDir);
    const url = chainUrlOf(config);
    const farmName = process.env.TFGRID_FARM_NAME ?? 'devfarm';
    const boot = await retryUntil(
      () => bootstrapDevFarm(url, farmName, identity.address),
      stop.signal,
      (e) => log.warn({ err: e.message }, 'waiting for the chain'),
      3000,
    );
    log.info({ farmId: boot.farmId, farm: farmName, created: boot.farmCreated, funded: boot.funded.toString() }, 'dev farm ready');
    config = loadConfig([...argv, '--farm-id', String(boot.farmId)]).config;
  }
  agent = new Agent(config, { logger: log });
  await agent.start();
  await new Promise<void>(() => undefined); // runs until a signal
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof ConfigError) process.stderr.write(`tfgrid-agent: ${e.message}\n\n${helpText()}\n`);
    else process.stderr.write(`tfgrid-agent: ${(e as Error).message}\n`);
    process.exit(e instanceof ConfigError ? 2 : 1);
  },
);
