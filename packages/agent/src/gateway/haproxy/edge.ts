/**
 * The edge rules every request passes on both HTTP frontends, in the order the edge has always
 * had: method and target, head size, Host, ACME answers, rate, route, state, body, upgrade, then
 * the hop-by-hop headers and X-Forwarded-*.
 */
import path from 'node:path';
import type { GatewayLimits } from '../routes/options';
import { bufferSize, BODIES, ms, paths } from './files';
import { LOG_MARK } from './process';

/** Requests per client address are limited by a sliding window of `burst` requests over burst/rate seconds. */
export function rateWindowMs(l: GatewayLimits): number {
  if (l.ratePerSecond <= 0) return 1000; // no limit: the table is not used
  return Math.max(1000, Math.ceil((l.rateBurst / Math.max(l.ratePerSecond, 1e-6)) * 1000));
}

export function retryAfterSeconds(l: GatewayLimits): number {
  return Math.max(1, Math.ceil(1 / Math.max(l.ratePerSecond, 1e-6)));
}

/** Between the edge and the `counted` frontend: the slot a request goes to, and why the frontend refused it. */
export const SLOT_HEADER = 'x-tfgw-slot';
export const WHY_HEADER = 'x-tfgw-why';

/**
 * The frontend a request with an undeclared body length takes (its slot in SLOT_HEADER, which the
 * edge set and which goes no further): the body filter, then the slot's backend.
 */
export function countedFrontend(l: GatewayLimits, p: ReturnType<typeof paths>): string[] {
  return [
    'backend counted',
    `  server counted unix@${p.counted}`,
    '',
    'frontend counted',
    `  bind unix@${p.counted} mode 600 proto h1`,
    '  no log',
    `  maxconn ${Math.max(l.maxConnections, 1)}`,
    '  filter lua.tfgw_body',
    `  http-request set-var(txn.slot) req.hdr(${SLOT_HEADER})`,
    `  http-request del-header ${SLOT_HEADER}`,
    '  use_backend %[var(txn.slot)]',
    '',
  ];
}

export function edgeRules(proto: 'http' | 'https', l: GatewayLimits, p: ReturnType<typeof paths>): string[] {
  const b = (n: keyof typeof BODIES): string => path.join(p.bodies, `${n}.txt`);
  const maxHead = l.maxHeaderBytes;
  // One refusal: the reason is set when the condition holds (and no earlier one did), then answered.
  // (A refused request ends its connection: what a client pipelined after it is never read as a request.)
  const refuse = (
    cond: string,
    status: keyof typeof BODIES | 'paused',
    why: string,
    extra = status === 400 ? ' hdr Connection close' : '',
  ): string[] => [
    // (No earlier refusal can have set a reason: its return ended the rules.)
    `  http-request set-var(txn.why) str(${why}) if ${cond}`,
    `  http-request return status ${status === 'paused' ? 503 : status} content-type text/plain file ${status === 'paused' ? path.join(p.bodies, 'paused.txt') : b(status)}${extra} if { var(txn.why) -m str ${why} }`,
  ];
  // (A name has no colon: what follows one is the port. An IPv6 literal is no route's name either way.)
  const routeLookup = `req.hdr(host),lower,field(1,:),regsub(\\.$,),map(${p.routes})`;
  // The edge: every request passes these in order (the order the edge has always had).
  return [
    // Client connections (the global limit follows the process's file limit).
    `  maxconn ${Math.max(l.maxConnections, 1)}`,
    // (The plain port's frontend is a TCP one switched to HTTP, where %ST and %Ta are not allowed:
    // the status and the µs since the request's rules began are sample fetches.)
    `  log-format "${LOG_MARK}%[var(txn.key)]|%[status]|%[date(0,us),sub(txn.t0)]|%[var(txn.why)]|%tsc"`,
    '  option http-ignore-probes',
    '  http-request set-var(txn.t0) date(0,us)',
    // (Not while a body streams in: a Lua sleep then ends the request with HAProxy's 408.)
    '  http-request lua.tfgw_turn if !{ var(sess.turned) -m found } !{ req.hdr(transfer-encoding) -m found } !{ req.hdr_val(content-length) gt 0 }',
    ...refuse('METH_CONNECT', 405, 'connect_method', ' hdr Allow "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"'),
    // Origin-form targets only: an absolute URI asks for a forward proxy, "*" for the server itself (HTTP/2 carries its own authority).
    ...refuse('!{ url_beg / } !{ req.ver 2.0 }', 400, 'absolute_uri'),
    '  http-request set-var(txn.head) url,length',
    '  http-request set-var(txn.head) req.hdrs,length,add(txn.head)',
    ...refuse(`{ var(txn.head) -m int gt ${maxHead} }`, 431, 'header_too_large'),
    ...refuse(`{ req.fhdr_cnt gt ${l.maxHeaderCount} }`, 431, 'header_too_large'),
    ...refuse('{ req.hdr_cnt(host) gt 1 }', 400, 'bad_host'),
    // RFC 3986 §3.2.2-3: a reg-name or IPv4 (unreserved, pct-encoded, sub-delims), then an optional port.
    ...refuse('!{ req.hdr(host) -m reg ^[-a-zA-Z0-9._~!$&()*+,;=%]*(:[0-9]*)?$ }', 400, 'bad_host'),
    // HTTP-01 answers, on any name, before rate and routes.
    `  http-request set-var(txn.acme) path,regsub(^/\\.well-known/acme-challenge/,),map(${p.challenges}) if { path_beg /.well-known/acme-challenge/ }`,
    '  http-request return status 200 content-type text/plain lf-string "%[var(txn.acme)]" if { var(txn.acme) -m found }',
    // ratePerSecond 0 turns the per-client limit off (as the limits say).
    ...(l.ratePerSecond > 0
      ? [
          '  http-request track-sc1 src table st_clients',
          ...refuse(
            `{ sc_http_req_rate(1) gt ${Math.max(1, Math.floor(l.rateBurst))} }`,
            429,
            'rate_limited',
            ` hdr Retry-After ${retryAfterSeconds(l)}`,
          ),
        ]
      : []),
    `  http-request set-var(txn.route) ${routeLookup}`,
    // A name not (yet) there is looked up once more after a short yield: the runtime API runs one
    // command per scheduler pass, so a route the agent has just written (its servers, then its
    // map entry) is complete by then, and a request right after addRoute() never sees a 404.
    '  http-request lua.tfgw_yield if !{ var(txn.route) -m found }',
    `  http-request set-var(txn.route) ${routeLookup} if !{ var(txn.route) -m found }`,
    ...refuse('!{ var(txn.route) -m found }', 404, 'unknown_name'),
    '  http-request set-var(txn.key) var(txn.route),field(1,|)',
    '  http-request set-var(txn.slot) var(txn.route),field(2,|)',
    '  http-request track-sc0 var(txn.key) table st_routes',
    ...refuse('{ var(txn.route),field(3,|) -m str p }', 'paused', 'paused'),
    ...refuse(`{ req.hdr_val(content-length) gt ${l.maxBodyBytes} }`, 413, 'body_too_large', ' hdr Connection close'),
    ...refuse(`{ sc_trackers(0) gt ${l.maxConcurrentPerName} }`, 503, 'name_concurrency', ' hdr Retry-After 1'),
    // Every body is read up to the limit (at most a buffer) within the request timeout before it is
    // forwarded: one too slow is answered 408, one over maxBodyBytes already in is refused (413)
    // before a backend is chosen; what streams past a buffer the body filter counts.
    `  http-request wait-for-body time ${ms(Math.min(l.requestTimeoutMs || l.headersTimeoutMs, 60_000))} at-least ${Math.min(l.maxBodyBytes + 1, bufferSize(l) - 2048)} if { req.hdr(transfer-encoding) -m found } || { req.hdr_val(content-length) gt 0 }`,
    ...refuse(`{ req.body_size gt ${l.maxBodyBytes} }`, 413, 'body_too_large', ' hdr Connection close'),
    '  http-request set-var(txn.ws) int(1) if { req.hdr(upgrade) -i websocket }',
    '  http-request track-sc2 var(txn.key) table st_ws if { var(txn.ws) -m int 1 }',
    ...refuse('{ req.hdr(upgrade) -m found } !{ var(txn.ws) -m int 1 }', 400, 'upgrade_refused'),
    '  http-request lua.tfgw_req_listed if { req.hdr(connection) -m found }',
    // (One rule, one walk over the headers: their names are lower case here.)
    '  http-request del-header ^(keep-alive|proxy-.*|te|trailer|http2-settings|forwarded|x-forwarded-.*)$ -m reg',
    '  http-request del-header upgrade unless { var(txn.ws) -m int 1 }',
    '  http-request set-header X-Forwarded-For %[src]',
    `  http-request set-header X-Forwarded-Proto ${proto}`,
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    '  http-response lua.tfgw_res_listed if { res.hdr(connection) -m found }',
    '  http-response del-header ^(keep-alive|proxy-.*|trailer)$ -m reg',
    '  http-response del-header upgrade unless { var(txn.ws) -m int 1 }',
    // An upgrade the backend declined ends the connection: bytes sent after the upgrade head are no request.
    '  http-response set-header Connection close if { var(txn.ws) -m int 1 } !{ status 101 }',
    // A body whose length the head does not declare (chunked, or HTTP/2 without Content-Length) is
    // counted as it streams, past maxBodyBytes 413 (lua.ts): such requests take the `counted`
    // frontend on their way to the slot, so that no other request pays for a Lua filter.
    '  http-request set-var(txn.counted) int(1) if { req.hdr(transfer-encoding) -m found }',
    '  http-request set-var(txn.counted) int(1) if { req.ver 2.0 } !{ req.hdr(content-length) -m found }',
    `  http-request set-header ${SLOT_HEADER} %[var(txn.slot)] if { var(txn.counted) -m found }`,
    `  http-response set-var(txn.why) str(body_too_large) if { var(txn.counted) -m found } { res.hdr(${WHY_HEADER}) -m str body_too_large }`,
    `  http-response del-header ${WHY_HEADER} if { var(txn.counted) -m found }`,
    // (What the client sent past the limit was never read: it is no request.)
    '  http-response set-header Connection close if { var(txn.why) -m str body_too_large }',
    '  use_backend counted if { var(txn.counted) -m found }',
    '  use_backend %[var(txn.slot)]',
  ];
}
