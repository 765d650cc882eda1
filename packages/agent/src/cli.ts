/** `tfgrid-agent`: run the agent (default) or print the measured capacity. */
import { Agent } from './agent';
import { ConfigError, helpText, loadConfig } from './config/config';
import { formatHardware, measure } from './hardware/capacity';
import { IdentityError } from './identity';
import { createLogger } from './core/log';

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = loadConfig(argv);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`tfgrid-agent: ${e.message}\n\n${helpText()}\n`);
    return 2;
  }
  const { command, config } = parsed;
  if (command === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return 0;
  }
  if (command === 'capacity') {
    process.stdout.write(`${formatHardware(measure(config.root))}\n`);
    return 0;
  }
  const log = createLogger(config.logLevel);
  const agent = new Agent(config, { logger: log });
  let stopping: Promise<void> | undefined;
  let stopped!: () => void;
  const done = new Promise<void>((resolve) => (stopped = resolve));
  const shutdown = (signal: string): void => {
    if (stopping) return;
    log.info({ signal }, 'shutting down');
    stopping = agent.stop().finally(() => stopped());
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await agent.start();
  } catch (e) {
    // A refused config or identity, or the metrics address taken: say why in one line, exit 1.
    const known = e instanceof ConfigError || e instanceof IdentityError || typeof (e as NodeJS.ErrnoException).code === 'string';
    if (!known) throw e;
    log.error({ err: (e as Error).message }, 'cannot start');
    await agent.stop();
    return 1;
  }
  // Runs until a signal has stopped the agent (no polling: an idle agent should not wake up).
  await done;
  return 0;
}

/** Runs `main` with the process's arguments and exits with its code (the bin script calls this). */
export function runCli(): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`tfgrid-agent: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
