// startRpcServer: JSON-RPC over WebSocket and HTTP on one port, as Substrate serves it
// (@polkadot/api connects with ws://, curl and health checks use http://).

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { RpcDispatcher } from './dispatcher';
import { createHttpHandler, type HttpRoute } from './http-handler';
import { DEFAULT_RPC_LIMITS } from './limits';
import type { RpcTable } from './types';
import { attachWebSocket } from './websocket';

export interface RpcServerOptions {
  /** default '127.0.0.1' */
  host?: string;
  /** 0 = ephemeral */
  port: number;
  table: RpcTable;
  /** a child `{module: 'rpc'}` is made from it; default: silent */
  logger?: Logger;
  /** largest request (HTTP body or WS message); default 15 MiB, like Substrate's 15 MB */
  maxRequestBytes?: number;
  /** largest reply, or sum of one batch's replies; default 15 MiB, like Substrate's */
  maxResponseBytes?: number;
  /** most calls in one batch; default 1000 */
  maxBatchLength?: number;
  /** messages of one WS connection handled at once before its socket is paused; default 64 */
  maxInFlightPerConnection?: number;
  /** WebSocket connections at once; default 100 (Substrate's --rpc-max-connections) */
  maxConnections?: number;
  /** extra GET routes by exact path, e.g. '/metrics' */
  httpRoutes?: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>>;
  /** per WS connection; default 1024 */
  maxSubscriptionsPerConnection?: number;
  /** unsent bytes a WS client may leave queued before it is closed as too slow; default 64 MiB */
  maxBufferedBytes?: number;
  /** WS ping period; a socket that misses a pong is dropped; default 30 s */
  pingIntervalMs?: number;
}

export interface RpcServer {
  port: number;
  /** ws://host:port */
  url: string;
  /** http://host:port */
  httpUrl: string;
  close(): Promise<void>;
}

const MIB = 1024 * 1024;
const CLOSE_GRACE_MS = 1000;

export async function startRpcServer(opts: RpcServerOptions): Promise<RpcServer> {
  const host = opts.host ?? '127.0.0.1';
  const maxRequestBytes = opts.maxRequestBytes ?? DEFAULT_RPC_LIMITS.maxRequestBytes;
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'rpc' });
  const dispatcher = new RpcDispatcher(opts.table, log, { maxBatchLength: opts.maxBatchLength, maxResponseBytes: opts.maxResponseBytes });
  const routes: Record<string, HttpRoute> = { ...opts.httpRoutes };

  const server = createServer(createHttpHandler({ dispatcher, log, maxRequestBytes, routes }));
  const ws = attachWebSocket(server, {
    dispatcher,
    log,
    maxPayloadBytes: maxRequestBytes,
    maxConnections: opts.maxConnections ?? DEFAULT_RPC_LIMITS.maxConnections,
    maxBufferedBytes: opts.maxBufferedBytes ?? 64 * MIB,
    maxSubscriptionsPerConnection: opts.maxSubscriptionsPerConnection ?? DEFAULT_RPC_LIMITS.maxSubscriptionsPerConnection,
    maxInFlight: opts.maxInFlightPerConnection ?? DEFAULT_RPC_LIMITS.maxInFlightPerConnection,
    pingIntervalMs: opts.pingIntervalMs ?? 30_000,
  });
  server.on('clientError', (err, socket) => {
    log.debug({ err }, 'http client error');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'rpc server error'));

  const port = (server.address() as AddressInfo).port;
  const urlHost = connectableHost(host);
  log.info({ host, port }, 'rpc server listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await ws.close();
      // In-flight HTTP requests get a moment to finish, then their sockets are cut.
      const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await stopped;
      clearTimeout(grace);
      log.info('rpc server closed');
    })();
    return closing;
  };

  return { port, url: `ws://${urlHost}:${port}`, httpUrl: `http://${urlHost}:${port}`, close };
}

/** A host a client can dial: wildcard binds are reached through loopback; IPv6 needs brackets. */
function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
