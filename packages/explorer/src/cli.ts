/** `tfgrid-explorer --chain URL --db DIR --port 8080 [--host H] [--from N] [--stream-max-unsent BYTES]` */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startExplorer } from './server';

/** A flag's positive whole number of bytes (undefined when not given). */
function byteCount(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(text)) throw new Error(`${flag} must be a positive whole number of bytes, got '${text}'`);
  return Number(text);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      chain: { type: 'string', default: 'ws://127.0.0.1:9944' },
      db: { type: 'string', default: './explorer-db' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      from: { type: 'string' },
      'stream-max-unsent': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'tfgrid-explorer --chain ws://127.0.0.1:9944 --db ./explorer-db --port 8080 [--host 127.0.0.1] [--from 1] [--stream-max-unsent 1048576]\n',
    );
    return;
  }
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const explorer = await startExplorer({
    chain: values.chain!,
    db: values.db!,
    port: Number(values.port),
    host: values.host,
    from: values.from === undefined ? undefined : Number(values.from),
    streamMaxUnsentBytes: byteCount('--stream-max-unsent', values['stream-max-unsent']),
    logger,
  });
  logger.info({ url: explorer.url, chain: values.chain, db: values.db }, 'explorer listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    explorer.stop().then(
      () => process.exit(0),
      (e) => (logger.error({ err: e }, 'stop failed'), process.exit(1)),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`tfgrid-explorer: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
