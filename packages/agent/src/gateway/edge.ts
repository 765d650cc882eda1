/** What the HTTP proxy and the WebSocket tunnel share: the table, the limits, and the edge checks done for both. */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { BackendGuard } from './admission';
import type { Backend } from './backends';
import { hostOf, hostProblem } from './headers';
import type { GatewayMetrics, RejectReason } from './metrics';
import type { GatewayLimits } from './options';
import type { RateLimiter } from './rate-limit';
import type { Route, RouteTable } from './routes';
import type { Upstream } from './upstream';
import type { UsageMeter } from './usage';

export interface EdgeContext {
  routes: RouteTable;
  limits: GatewayLimits;
  metrics: GatewayMetrics;
  usage: UsageMeter;
  rate: RateLimiter;
  /** Verify https backends' certificates. */
  verifyBackendTls: boolean;
  /** The proxy's backend client (WebSocket tunnels connect on their own). */
  upstream: Upstream;
  /** Set unless local backends are allowed: every backend connection checks it first. */
  guard?: BackendGuard;
  log: Logger;
}

/** A refusal: status, reason (for metrics), short body, extra headers. */
export interface Refusal {
  status: number;
  reason: RejectReason;
  body: string;
  headers?: Record<string, string>;
  /** Close the connection after answering (the request may not have been read). */
  close?: boolean;
  /** The route, when the name is known (for per-name metrics). */
  route?: Route;
}

// Short bodies that say nothing about what exists behind the gateway.
export const BODY = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
} as const;
export const PAUSED_BODY = 'This site is suspended.';

/**
 * The checks every request and upgrade passes, in order: origin-form target only (no open
 * proxy; so no absolute-form authority can disagree with Host), the header count, one valid Host, the client's rate, a route that is up, the body size, the name's concurrency.
 * Answers the route to forward to, or why not.
 */
export function admitRequest(ctx: EdgeContext, req: IncomingMessage): Route | Refusal {
  const url = req.url ?? '';
  // An absolute-form target ("GET http://x/") asks us to be a forward proxy; "*" is for OPTIONS to the server itself.
  if (url.charCodeAt(0) !== 47) return { status: 400, reason: 'absolute_uri', body: BODY[400], close: true };
  if (req.rawHeaders.length > 2 * ctx.limits.maxHeaderCount)
    return { status: 431, reason: 'header_too_large', body: BODY[431], close: true };
  if (hostProblem(req.rawHeaders)) return { status: 400, reason: 'bad_host', body: BODY[400], close: true };
  const wait = ctx.rate.take(req.socket.remoteAddress ?? '');
  if (wait > 0)
    return { status: 429, reason: 'rate_limited', body: BODY[429], headers: { 'retry-after': String(Math.max(1, Math.ceil(wait))) } };
  const route = ctx.routes.lookup(hostOf(req.headers.host));
  if (!route) return { status: 404, reason: 'unknown_name', body: BODY[404] };
  if (route.gone) return { status: 404, reason: 'gone', body: BODY[404] };
  if (route.paused || route.grace.size > 0) return { status: 503, reason: 'paused', body: PAUSED_BODY, route };
  const cl = req.headers['content-length'];
  if (cl !== undefined && Number(cl) > ctx.limits.maxBodyBytes)
    return { status: 413, reason: 'body_too_large', body: BODY[413], close: true, route };
  if (route.load.inflight >= ctx.limits.maxConcurrentPerName)
    return { status: 503, reason: 'name_concurrency', body: BODY[503], headers: { 'retry-after': '1' }, route };
  return route;
}

export function isRefusal(x: Route | Refusal): x is Refusal {
  return 'status' in x;
}

/** Marks a backend down after a failed connect (passive health) and keeps the gauge in step. */
export function markDown(ctx: EdgeContext, route: Route, b: Backend, why: string): void {
  if (b.healthy) ctx.log.warn({ name: route.name, backend: b.url, why }, 'backend down');
  b.down(why);
  ctx.metrics.backendUp.labels(route.name, b.url).set(0);
  ctx.metrics.backendErrors.labels(route.name, 'connect').inc();
}

export function markUp(ctx: EdgeContext, route: Route, b: Backend): void {
  if (b.healthy) return;
  ctx.log.info({ name: route.name, backend: b.url }, 'backend up');
  b.up();
  ctx.metrics.backendUp.labels(route.name, b.url).set(1);
}

/** A connect-stage failure: nothing was sent, so the next backend may be tried. */
export class ConnectTimeout extends Error {
  readonly code = 'ETIMEDOUT';
}
