/** Starts a dev chain with its RPC server: what the CLI runs and what tests start in-process. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { cryptoReady } from './crypto/hashing';
import { Chain } from './chain/chain';
import { loadChainSpec, type ChainSpec } from './chain/genesis';
import { MemoryStore } from './state/memory-store';
import { LevelStore, type BlockStore } from './state/store';
import { metricsRoute } from './metrics';
import type { RpcLimits } from './rpc/limits';
import { createRpcTable } from './rpc/methods';
import { startRpcServer } from './rpc/server';

export const DEFAULT_CHAIN_SPEC = path.resolve(__dirname, '../../../chain-spec/dev.json');
export const NODE_NAME = 'tfgrid-devchain';
export const NODE_VERSION = '0.1.0';

export interface DevchainOptions {
  /** Persistent chain in this directory (LevelDB); omitted: an ephemeral in-memory chain. */
  basePath?: string;
  /** RPC port (WebSocket and HTTP); 0 picks a free one. Default 9944. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Chain spec file (default chain-spec/dev.json) or an already loaded spec. */
  chain?: string | ChainSpec;
  /** Interval sealing; omitted: instant sealing. */
  blockTimeMs?: number;
  finalityDelayMs?: number;
  logger?: Logger;
  /**
   * Serve the dev_* methods (as `devchain --dev`). Default true: an embedded chain is a test or
   * local setup, which drives blocks and time through them; the CLI turns them on only with --dev.
   */
  dev?: boolean;
  /** RPC server limits; defaults as Substrate's (see rpc/limits.ts) */
  rpcLimits?: Partial<RpcLimits>;
}

export interface Devchain {
  url: string;
  httpUrl: string;
  port: number;
  chain: Chain;
  stop(): Promise<void>;
}

export async function startDevchain(opts: DevchainOptions = {}): Promise<Devchain> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  await cryptoReady();
  const spec = typeof opts.chain === 'object' ? opts.chain : loadChainSpec(opts.chain ?? DEFAULT_CHAIN_SPEC);
  if (opts.basePath) mkdirSync(opts.basePath, { recursive: true });
  const store: BlockStore = opts.basePath ? new LevelStore(path.join(opts.basePath, 'chain')) : new MemoryStore();
  await store.open();
  let chain: Chain;
  try {
    chain = await Chain.open({ spec, store, logger, blockTimeMs: opts.blockTimeMs, finalityDelayMs: opts.finalityDelayMs });
  } catch (e) {
    await store.close();
    throw e;
  }
  const server = await startRpcServer({
    ...opts.rpcLimits,
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 9944,
    table: createRpcTable(chain, { name: NODE_NAME, version: NODE_VERSION }, { devMethods: opts.dev ?? true }),
    logger,
    httpRoutes: { '/metrics': metricsRoute(chain) },
  });
  let stopping: Promise<void> | undefined;
  return {
    url: server.url,
    httpUrl: server.httpUrl,
    port: server.port,
    chain,
    stop: () =>
      (stopping ??= (async () => {
        await server.close();
        await chain.stop();
        await store.close();
      })()),
  };
}
