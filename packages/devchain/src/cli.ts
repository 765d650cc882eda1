/** `devchain`: the command line of the TFChain-compatible dev node. */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { DEFAULT_CHAIN_SPEC, startDevchain } from './node';
import { RPC_LIMIT_FLAGS, type RpcLimits } from './rpc/limits';

const HELP = `devchain — a TFChain-compatible Substrate dev node

Usage: devchain [--dev] [--base-path DIR] [options]

  --dev                  development node: serves the dev_* RPC methods (build blocks, write
                         storage, move time, upgrade the runtime); in memory unless
                         --base-path is given
  --base-path DIR        persistent chain in DIR (LevelDB); restarts continue it
                         (without either flag: in memory, no dev_* methods)
  --port N               RPC port for WebSocket and HTTP (default 9944)
  --rpc-external         listen on all interfaces instead of 127.0.0.1
  --chain FILE           chain spec (default ${DEFAULT_CHAIN_SPEC})
  --block-time MS        seal a block every MS milliseconds (default: instant sealing)
  --finality-delay MS    finalize blocks MS after inclusion (default 250)
  --log-level LEVEL      trace|debug|info|warn|error (default info)

RPC limits (Substrate's flags and defaults):
  --rpc-max-request-size MB                     largest request, HTTP body or WS message (15)
  --rpc-max-response-size MB                    largest reply, or sum of a batch's replies (15)
  --rpc-max-batch-request-len N                 most calls in one batch (1000; Substrate: unlimited)
  --rpc-max-connections N                       WebSocket connections at once (100)
  --rpc-max-subscriptions-per-connection N      live subscriptions per connection (1024)
  --rpc-message-buffer-capacity-per-connection N  messages of one connection handled at once (64)
  -h, --help             this help
`;

function fail(message: string): never {
  process.stderr.write(`devchain: ${message}\n\n${HELP}`);
  process.exit(2);
}

function intOption(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(`${name} must be a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}

function rpcLimits(values: Record<string, unknown>): Partial<RpcLimits> {
  const limits: Partial<RpcLimits> = {};
  for (const [flag, { limit, unit, min, max }] of Object.entries(RPC_LIMIT_FLAGS)) {
    const v = values[flag];
    const n = intOption(typeof v === 'string' ? v : undefined, `--${flag}`, min, max);
    if (n !== undefined) limits[limit] = n * unit;
  }
  return limits;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        dev: { type: 'boolean' },
        'base-path': { type: 'string' },
        port: { type: 'string' },
        'rpc-external': { type: 'boolean' },
        chain: { type: 'string' },
        'block-time': { type: 'string' },
        'finality-delay': { type: 'string' },
        'log-level': { type: 'string' },
        ...Object.fromEntries(Object.keys(RPC_LIMIT_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const logger = pino({ level: values['log-level'] ?? 'info', base: undefined });
  const node = await startDevchain({
    basePath: values['base-path'],
    port: intOption(values.port, '--port', 0, 65535) ?? 9944,
    host: values['rpc-external'] ? '0.0.0.0' : '127.0.0.1',
    chain: values.chain,
    blockTimeMs: intOption(values['block-time'], '--block-time', 1, 3_600_000),
    finalityDelayMs: intOption(values['finality-delay'], '--finality-delay', 0, 600_000),
    dev: values.dev === true,
    rpcLimits: rpcLimits(values as Record<string, unknown>),
    logger,
  });
  logger.info(
    { ws: node.url, http: node.httpUrl, metrics: `${node.httpUrl}/metrics`, genesis: node.chain.genesisHash },
    'devchain is running',
  );
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    node.stop().then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: e }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`devchain: ${(e as Error).message}\n`);
  process.exit(1);
});
