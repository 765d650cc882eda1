// The plain-HTTP side of the port: JSON-RPC over POST (no subscriptions), GET /health like
// Substrate's, extra GET routes (e.g. /metrics), and CORS for browsers (the dev node runs
// as with --rpc-cors all).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RpcDispatcher } from './dispatcher';
import { OVERSIZED_REQUEST } from './error';

export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpHandlerOptions {
  dispatcher: RpcDispatcher;
  log: Logger;
  maxRequestBytes: number;
  routes: Record<string, HttpRoute>;
}

const HEALTH = JSON.stringify({ isSyncing: false, peers: 0, shouldHavePeers: false });
const JSON_TYPE = /^\s*application\/json(?:-rpc)?\s*(?:;|$)/i;
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
  'Access-Control-Max-Age': '86400',
};

export function createHttpHandler(opts: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { log } = opts;
  return (req, res) => {
    // A reset client must not become an unhandled 'error' event (that would kill the process).
    req.on('error', (err) => log.debug({ err }, 'http request stream error'));
    res.on('error', (err) => log.debug({ err }, 'http response stream error'));
    res.setHeader('Access-Control-Allow-Origin', '*');
    const fail = (err: unknown): void => {
      log.error({ err, method: req.method, url: req.url }, 'http request failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'Internal server error');
      else res.destroy();
    };
    try {
      void route(req, res, opts).catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}

async function route(req: IncomingMessage, res: ServerResponse, opts: HttpHandlerOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  switch (req.method) {
    case 'OPTIONS':
      res.writeHead(204, {
        ...CORS,
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'content-type',
      });
      res.end();
      return;
    case 'POST':
      return handlePost(req, res, opts);
    case 'GET':
    case 'HEAD': {
      const extra = Object.hasOwn(opts.routes, path) ? opts.routes[path] : undefined;
      if (extra) return extra(req, res);
      if (path === '/health') return send(res, 200, 'application/json; charset=utf-8', HEALTH);
      if (path === '/health/readiness') return send(res, 200, 'text/plain', '');
      if (path === '/') {
        res.setHeader('Allow', 'POST, OPTIONS');
        return send(res, 405, 'text/plain', 'Used HTTP Method is not allowed. POST or OPTIONS is required');
      }
      return send(res, 404, 'text/plain', 'Not found: JSON-RPC is served by POST and WebSocket; GET /health for health');
    }
    default:
      res.setHeader('Allow', 'POST, GET, OPTIONS');
      return send(res, 405, 'text/plain', `HTTP method ${req.method} is not allowed`);
  }
}

async function handlePost(req: IncomingMessage, res: ServerResponse, opts: HttpHandlerOptions): Promise<void> {
  if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) {
    req.resume();
    return send(res, 415, 'text/plain', 'Supported Content-Types: application/json');
  }
  const body = await readBody(req, opts.maxRequestBytes);
  if (body === undefined) {
    // The rest of the body is drained (not read into memory); the connection closes after.
    req.resume();
    res.setHeader('Connection', 'close');
    const error = { code: OVERSIZED_REQUEST, message: 'Request is too big', data: `Exceeded max limit of ${opts.maxRequestBytes}` };
    return send(res, 413, 'application/json; charset=utf-8', JSON.stringify({ jsonrpc: '2.0', error, id: null }));
  }
  const { reply } = await opts.dispatcher.handleMessage(body);
  if (reply === undefined) return send(res, 204, undefined, '');
  return send(res, 200, 'application/json; charset=utf-8', reply);
}

/** The body as text, or undefined once it exceeds `max` bytes (checked before buffering it all). */
function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  if (Number(req.headers['content-length']) > max) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function send(res: ServerResponse, status: number, type: string | undefined, body: string): void {
  if (type) res.setHeader('Content-Type', type);
  if (status !== 204) res.setHeader('Content-Length', Buffer.byteLength(body));
  res.writeHead(status);
  res.end(body);
}
