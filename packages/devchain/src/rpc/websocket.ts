// The WebSocket side of the port: upgrades from the shared http.Server (ws in noServer
// mode), one RpcSession per socket, a connection cap, a send buffer cap (a client that does
// not read is closed instead of growing our memory) and pings to drop dead peers.

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { RpcDispatcher } from './dispatcher';
import { RpcSession } from './session';

export interface WebSocketOptions {
  dispatcher: RpcDispatcher;
  log: Logger;
  maxPayloadBytes: number;
  maxConnections: number;
  maxBufferedBytes: number;
  maxSubscriptionsPerConnection: number;
  /** messages handled at once per connection; past it the socket is not read (TCP backpressure) */
  maxInFlight: number;
  pingIntervalMs: number;
}

export interface WebSocketSide {
  readonly connections: number;
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 1000;

export function attachWebSocket(server: Server, opts: WebSocketOptions): WebSocketSide {
  const { log } = opts;
  // perMessageDeflate off: compression costs CPU and lets a small frame inflate to a big one.
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayloadBytes, perMessageDeflate: false });
  const sessions = new Map<WebSocket, RpcSession>();
  const alive = new WeakSet<WebSocket>();
  let closing = false;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => log.debug({ err }, 'upgrade socket error'));
    try {
      if (closing) return reject(socket, 503, 'Server is shutting down');
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return reject(socket, 400, 'Only WebSocket upgrades are supported');
      if (sessions.size >= opts.maxConnections) {
        log.warn({ max: opts.maxConnections }, 'ws connection refused: too many connections');
        return reject(socket, 503, 'Too many connections');
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
    } catch (err) {
      log.error({ err }, 'ws upgrade failed');
      socket.destroy();
    }
  });

  function onConnection(ws: WebSocket): void {
    if (closing) {
      ws.close(1001, 'server shutting down');
      return;
    }
    const send = (text: string): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount > opts.maxBufferedBytes) {
        log.warn({ buffered: ws.bufferedAmount }, 'ws client too slow; closing it');
        ws.terminate();
        return;
      }
      ws.send(text);
    };
    const session = new RpcSession(opts.dispatcher, send, log, { maxSubscriptions: opts.maxSubscriptionsPerConnection });
    sessions.set(ws, session);
    alive.add(ws);
    log.debug({ connections: sessions.size }, 'ws connected');

    // A client pipelining faster than we answer waits in its own TCP buffers, not in our heap:
    // at the cap the socket is paused; frames ws had already read wait here (one read's worth).
    let inFlight = 0;
    const waiting: RawData[] = [];
    const handle = (data: RawData): void => {
      inFlight++;
      void session.handle(rawToText(data)).finally(() => {
        inFlight--;
        const next = waiting.shift();
        if (next !== undefined) handle(next);
        else if (ws.isPaused) ws.resume();
      });
    };
    ws.on('message', (data: RawData) => {
      if (inFlight < opts.maxInFlight) handle(data);
      else waiting.push(data);
      if (inFlight >= opts.maxInFlight && !ws.isPaused) ws.pause();
    });
    ws.on('pong', () => alive.add(ws));
    // e.g. a frame over maxPayload: ws closes with 1009 itself; we only must not crash.
    ws.on('error', (err) => log.debug({ err }, 'ws error'));
    ws.on('close', (code: number) => {
      session.close();
      sessions.delete(ws);
      log.debug({ code, connections: sessions.size }, 'ws disconnected');
    });
  }

  // One interval for all sockets: a socket that missed the previous ping is dead.
  const pinger = setInterval(() => {
    for (const ws of sessions.keys()) {
      // A socket paused for backpressure cannot read its pong; its own work keeps it alive.
      if (ws.isPaused) continue;
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, opts.pingIntervalMs);
  pinger.unref();

  return {
    get connections() {
      return sessions.size;
    },
    async close() {
      closing = true;
      clearInterval(pinger);
      const closed = [...sessions.keys()].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
          }),
      );
      for (const [ws, session] of sessions) {
        session.close();
        ws.close(1001, 'server shutting down');
      }
      // Peers that do not answer the close handshake are cut off after a grace period.
      const grace = setTimeout(() => {
        for (const ws of sessions.keys()) ws.terminate();
      }, CLOSE_GRACE_MS);
      await Promise.all(closed);
      clearTimeout(grace);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function reject(socket: Duplex, status: number, message: string): void {
  const reason = status === 400 ? 'Bad Request' : 'Service Unavailable';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}
