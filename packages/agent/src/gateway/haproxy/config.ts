/**
 * haproxy.cfg of the gateway, rendered from its listeners, limits and the backend slots in use.
 * What changes per request-routing decision lives in maps (routes.map: Host → "key slot state";
 * passthrough.map: SNI → slot; challenges.map: ACME token → answer) that the runtime API edits
 * at once; the config itself changes only when slots run out or listeners change (a reload).
 * Backends are slots (`h<N>` for HTTP routes, `t<N>` for TLS passthrough ones) whose servers the
 * runtime API adds and deletes; the config lists the servers known when it was rendered, so a
 * restart or reload starts with the same state.
 */
import path from 'node:path';
import type { GatewayLimits } from '../options';

/** One server of a slot, as HAProxy is told it (the agent resolved and admitted its address). */
export interface ServerSpec {
  /** Server name inside its slot: s<N>. */
  id: string;
  /** `ip:port`, `[ipv6]:port` or `unix@/path`. */
  address: string;
  /** TLS to the backend, with this SNI. */
  tls?: { sni: string; verify: boolean };
  /** Put in maintenance (its address was refused or did not resolve). */
  disabled?: boolean;
  /** Forced down by the agent's own probe (checkHealth). */
  down?: boolean;
}

export interface SlotSpec {
  /** `h<N>` or `t<N>`. */
  id: string;
  servers: ServerSpec[];
}

export interface ConfigInput {
  dir: string;
  limits: GatewayLimits;
  http?: { host: string; port: number };
  https?: { host: string; port: number; crtList: string };
  /** UDP port on 127.0.0.1 the agent reads request logs from (metrics). */
  logPort: number;
  httpSlots: SlotSpec[];
  tcpSlots: SlotSpec[];
  /** Name of this instance in the local peers section (stick tables survive reloads). */
  peerName: string;
  peerPort: number;
}

/** Files of the data plane directory. */
export function paths(dir: string): {
  config: string;
  admin: string;
  master: string;
  pid: string;
  routes: string;
  passthrough: string;
  challenges: string;
  lua: string;
  bodies: string;
  certs: string;
  crtList: string;
  tlsInternal: string;
  httpInternal: string;
} {
  return {
    config: path.join(dir, 'haproxy.cfg'),
    admin: path.join(dir, 'admin.sock'),
    master: path.join(dir, 'master.sock'),
    pid: path.join(dir, 'haproxy.pid'),
    routes: path.join(dir, 'routes.map'),
    passthrough: path.join(dir, 'passthrough.map'),
    challenges: path.join(dir, 'challenges.map'),
    lua: path.join(dir, 'gateway.lua'),
    bodies: path.join(dir, 'bodies'),
    certs: path.join(dir, 'certs'),
    crtList: path.join(dir, 'certs', 'list.txt'),
    tlsInternal: path.join(dir, 'tls.sock'),
    httpInternal: path.join(dir, 'http.sock'),
  };
}

/** Short bodies that say nothing about what is behind the gateway (as the edge always answered). */
export const BODIES = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
} as const;
export const PAUSED_BODY = 'This site is suspended.';

/** A raw HTTP response for `errorfile` (HAProxy sends it as is). */
export function errorFile(status: keyof typeof BODIES, as: keyof typeof BODIES = status): string {
  const body = `${BODIES[as]}\n`;
  return `HTTP/1.1 ${as} ${BODIES[as]}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/**
 * The Lua part: drops the headers a Connection header lists (hop-by-hop by RFC 9110 §7.6.1), both
 * ways; and reads the first request head of a plain-HTTP connection as its bytes arrived, before
 * HAProxy's parser normalises it (it unfolds obs-fold lines and merges identical Host lines, and
 * stops at a second Host before counting headers), refusing what the edge always refused:
 * more than maxHeaderCount header lines 431, a folded line, a bare LF or more than one Host line 400.
 */
export function lua(l: GatewayLimits): string {
  const reply = (s: keyof typeof BODIES): string => JSON.stringify(errorFile(s));
  return `
local MAX_HEADERS = ${Math.max(1, Math.floor(l.maxHeaderCount))}
local REPLY = { ["400"] = ${reply(400)}, ["408"] = ${reply(408)}, ["431"] = ${reply(431)} }
-- What the raw head is refused for (nil: it goes on to the HTTP parser and the edge's rules).
local function refusal(data)
  local e = string.find(data, "\\n\\r?\\n")
  if e == nil then
    -- No whole head within the inspect delay (a full buffer is the HTTP parser's to answer).
    if #data > 0 and #data < ${Math.max(1, l.maxHeaderBytes)} then return "408" end
    return nil
  end
  local head = string.sub(data, 1, e)
  -- An absolute-form target (HAProxy would answer a Host mismatch with its own page); CONNECT is the rules' 405.
  local method, target = string.match(head, "^(%S+) (%S+)")
  if method ~= nil and method ~= "CONNECT" and string.sub(target, 1, 1) ~= "/" and target ~= "*" then return "400" end
  local lines, hosts, folded = -1, 0, false
  for line in string.gmatch(head, "[^\\n]*\\n") do
    lines = lines + 1
    if lines > 0 then
      local c = string.byte(line, 1)
      if c == 32 or c == 9 then folded = true end
      if string.find(line, "^[Hh][Oo][Ss][Tt][ \\t]*:") then hosts = hosts + 1 end
    end
  end
  if lines > MAX_HEADERS then return "431" end
  -- A lone LF ends a line for HAProxy, not for every backend: refused, as a fold or a second Host.
  if folded or hosts > 1 or string.find(head, "^\\n") or string.find(head, "[^\\r]\\n") then return "400" end
  return nil
end
core.register_action("tfgw_head", { "tcp-req" }, function(txn)
  local why = refusal(txn.req:dup() or "")
  if why ~= nil then txn:set_var("sess.refuse", why) end
end)
core.register_service("tfgw_refuse", "tcp", function(applet)
  applet:send(REPLY[applet:get_var("sess.refuse")] or REPLY["400"])
end)
local function listed(hdrs)
  local out = {}
  local c = hdrs["connection"]
  if c == nil then return out end
  for _, v in pairs(c) do
    for tok in string.gmatch(v, "[^,%s]+") do out[string.lower(tok)] = true end
  end
  return out
end
core.register_action("tfgw_yield", { "http-req" }, function(txn) core.msleep(2) end)
core.register_action("tfgw_req_listed", { "http-req" }, function(txn)
  local ws = txn:get_var("txn.ws") == 1
  for name, _ in pairs(listed(txn.http:req_get_headers())) do
    if not (ws and name == "upgrade") then txn.http:req_del_header(name) end
  end
end)
core.register_action("tfgw_res_listed", { "http-res" }, function(txn)
  local ws = txn:get_var("txn.ws") == 1
  for name, _ in pairs(listed(txn.http:res_get_headers())) do
    if not (ws and name == "upgrade") then txn.http:res_del_header(name) end
  end
end)
`;
}

const ms = (n: number): string => `${Math.max(1, Math.round(n))}ms`;

/** Requests per client address are limited by a sliding window of `burst` requests over burst/rate seconds. */
export function rateWindowMs(l: GatewayLimits): number {
  if (l.ratePerSecond <= 0) return 1000; // no limit: the table is not used
  return Math.max(1000, Math.ceil((l.rateBurst / Math.max(l.ratePerSecond, 1e-6)) * 1000));
}

export function retryAfterSeconds(l: GatewayLimits): number {
  return Math.max(1, Math.ceil(1 / Math.max(l.ratePerSecond, 1e-6)));
}

/** Buffers large enough to hold a head over the limit, so that it is seen and answered 431 (a full buffer is HAProxy's own 400). */
export function bufferSize(l: GatewayLimits): number {
  const need = 2 * l.maxHeaderBytes + 8192;
  return Math.max(16384, Math.ceil(need / 4096) * 4096);
}

function server(s: ServerSpec, l: GatewayLimits, http: boolean): string {
  const parts = [`server ${s.id} ${s.address}`];
  if (s.tls) parts.push('ssl', `sni str(${s.tls.sni})`, s.tls.verify ? 'verify required ca-file @system-ca' : 'verify none');
  // Checks are HAProxy's: on the health interval, and passively on every failed connect.
  const inter = l.healthIntervalMs > 0 ? l.healthIntervalMs : 24 * 3600_000;
  parts.push(`check inter ${ms(inter)} fall 1 rise 1 observe layer4 error-limit 1 on-error mark-down`);
  if (http && l.maxSocketsPerBackend > 0) parts.push(`pool-max-conn ${l.maxSocketsPerBackend}`);
  if (s.disabled) parts.push('disabled');
  return `  ${parts.join(' ')}`;
}

/** The `add server` arguments of a server added at runtime (what `server()` renders, without the leading name). */
export function serverArgs(s: ServerSpec, l: GatewayLimits, http: boolean): string {
  return server({ ...s, disabled: false }, l, http)
    .trim()
    .replace(/^server \S+ \S+ /, '');
}

export function renderConfig(c: ConfigInput): string {
  const l = c.limits;
  const p = paths(c.dir);
  const b = (n: keyof typeof BODIES): string => path.join(p.bodies, `${n}.txt`);
  const maxHead = l.maxHeaderBytes;
  const out: string[] = [];
  out.push(
    'global',
    '  master-worker',
    // One thread: the runtime API's applet and the streams take turns on it, so a map change the
    // agent wrote before a client's request was accepted is applied before that request is routed.
    '  nbthread 1',
    `  stats socket ${p.admin} mode 600 level admin expose-fd listeners`,
    '  stats timeout 24h',
    `  lua-load ${p.lua}`,
    `  tune.bufsize ${bufferSize(l)}`,
    `  tune.http.maxhdr ${Math.min(32767, Math.max(101, l.maxHeaderCount * 2 + 10))}`,
    `  hard-stop-after ${ms(Math.max(l.drainMs, 1))}`,
    `  localpeer ${c.peerName}`,
    '',
    `peers local`,
    `  peer ${c.peerName} 127.0.0.1:${c.peerPort}`,
    '',
    'defaults',
    '  mode http',
    `  log 127.0.0.1:${c.logPort} len 2048 format raw local0 info`,
    '  option dontlognull',
    `  timeout connect ${ms(l.backendConnectTimeoutMs)}`,
    `  timeout client ${ms(Math.max(l.requestTimeoutMs, l.keepAliveTimeoutMs, 1000))}`,
    `  timeout server ${ms(l.backendTimeoutMs)}`,
    `  timeout http-request ${ms(l.headersTimeoutMs)}`,
    `  timeout http-keep-alive ${ms(l.keepAliveTimeoutMs)}`,
    `  timeout tunnel ${l.tunnelIdleTimeoutMs > 0 ? ms(l.tunnelIdleTimeoutMs) : '24d'}`,
    '  timeout client-fin 1s',
    '  timeout server-fin 1s',
    '  option http-keep-alive',
    '  option redispatch 1',
    '  retries 3',
    '  retry-on conn-failure empty-response',
    '  balance roundrobin',
    ...(['400', '408', '500', '504'] as const).map((s) => `  errorfile ${s} ${path.join(p.bodies, `${s}.http`)}`),
    // No server available (all down, or none admitted) is a bad gateway for the client, as before.
    `  errorfile 502 ${path.join(p.bodies, '502.http')}`,
    `  errorfile 503 ${path.join(p.bodies, '503as502.http')}`,
    '',
    'backend st_routes',
    // Per route key: bytes both ways (NRU), requests; `use` (trackers) is what is in flight.
    `  stick-table type string len 253 size 200k store bytes_in_cnt,bytes_out_cnt,http_req_cnt peers local`,
    '',
    'backend st_ws',
    // Per route key: its open WebSocket tunnels are the trackers (`use`) of its entry.
    '  stick-table type string len 253 size 200k store http_req_cnt',
    '',
    'backend st_clients',
    `  stick-table type ipv6 size 1m expire ${ms(rateWindowMs(l))} store http_req_rate(${ms(rateWindowMs(l))})`,
    '',
  );
  // One refusal: the reason is set when the condition holds (and no earlier one did), then answered.
  // (A refused request ends its connection: what a client pipelined after it is never read as a request.)
  const refuse = (
    cond: string,
    status: keyof typeof BODIES | 'paused',
    why: string,
    extra = status === 400 ? ' hdr Connection close' : '',
  ): string[] => [
    `  http-request set-var(txn.why) str(${why}) if !{ var(txn.why) -m found } ${cond}`,
    `  http-request return status ${status === 'paused' ? 503 : status} content-type text/plain file ${status === 'paused' ? path.join(p.bodies, 'paused.txt') : b(status)}${extra} if { var(txn.why) -m str ${why} }`,
  ];
  const routeLookup = `req.hdr(host),lower,regsub(:[0-9]*$,),regsub(\\.$,),map(${p.routes})`;
  // The edge: every request passes these in order (the order the edge has always had).
  const edge = (proto: 'http' | 'https'): string[] => [
    // Client connections (the global limit follows the process's file limit).
    `  maxconn ${Math.max(l.maxConnections, 1)}`,
    '  log-format "TFGW %[var(txn.key)]|%ST|%Ta|%[var(txn.why)]|%tsc"',
    '  option http-ignore-probes',
    ...refuse('METH_CONNECT', 405, 'connect_method', ' hdr Allow "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"'),
    // Origin-form targets only: an absolute URI asks for a forward proxy, "*" for the server itself (HTTP/2 carries its own authority).
    ...refuse('!{ url_beg / } !{ req.ver 2.0 }', 400, 'absolute_uri'),
    '  http-request set-var(txn.head) url,length',
    '  http-request set-var(txn.head) req.hdrs,length,add(txn.head)',
    ...refuse(`{ var(txn.head) -m int gt ${maxHead} }`, 431, 'header_too_large'),
    ...refuse(`{ req.hdr_names(|),regsub([^|],,g),length ge ${l.maxHeaderCount} }`, 431, 'header_too_large'),
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
    // forwarded: a chunked one over maxBodyBytes is refused (413), one too slow answered 408.
    `  http-request wait-for-body time ${ms(Math.min(l.requestTimeoutMs || l.headersTimeoutMs, 60_000))} at-least ${Math.min(l.maxBodyBytes + 1, bufferSize(l) - 2048)} if { req.hdr(transfer-encoding) -m found } || { req.hdr_val(content-length) gt 0 }`,
    ...refuse(`{ req.body_size gt ${l.maxBodyBytes} }`, 413, 'body_too_large', ' hdr Connection close'),
    '  http-request set-var(txn.ws) int(1) if { req.hdr(upgrade) -i websocket }',
    '  http-request track-sc2 var(txn.key) table st_ws if { var(txn.ws) -m int 1 }',
    ...refuse('{ req.hdr(upgrade) -m found } !{ var(txn.ws) -m int 1 }', 400, 'upgrade_refused'),
    '  http-request lua.tfgw_req_listed if { req.hdr(connection) -m found }',
    '  http-request del-header keep-alive',
    '  http-request del-header proxy- -m beg',
    '  http-request del-header te',
    '  http-request del-header trailer',
    '  http-request del-header http2-settings',
    '  http-request del-header forwarded',
    '  http-request del-header x-forwarded- -m beg',
    '  http-request del-header upgrade unless { var(txn.ws) -m int 1 }',
    '  http-request set-header X-Forwarded-For %[src]',
    `  http-request set-header X-Forwarded-Proto ${proto}`,
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    '  http-response lua.tfgw_res_listed if { res.hdr(connection) -m found }',
    '  http-response del-header keep-alive',
    '  http-response del-header proxy- -m beg',
    '  http-response del-header trailer',
    '  http-response del-header upgrade unless { var(txn.ws) -m int 1 }',
    // An upgrade the backend declined ends the connection: bytes sent after the upgrade head are no request.
    '  http-response set-header Connection close if { var(txn.ws) -m int 1 } !{ status 101 }',
    '  use_backend %[var(txn.slot)]',
  ];
  if (c.http) {
    // The port is TCP first, for the first head of each connection as its bytes arrived (lua
    // tfgw_head); then on to the HTTP frontend, the client address carried by the PROXY protocol
    // (as the https port does).
    out.push(
      'frontend http',
      '  mode tcp',
      `  bind ${c.http.host.includes(':') ? `[${c.http.host}]` : c.http.host}:${c.http.port}`,
      '  no log',
      `  maxconn ${Math.max(l.maxConnections, 1)}`,
      `  tcp-request inspect-delay ${ms(l.headersTimeoutMs)}`,
      // (A payload fetch that does not match yet waits for more data: this rule holds until a whole head is in.)
      "  tcp-request content set-var(sess.head) int(1) if { req.payload(0,0) -m reg '\\n\\r?\\n' }",
      '  tcp-request content lua.tfgw_head',
      '  tcp-request content use-service lua.tfgw_refuse if { var(sess.refuse) -m found }',
      '  default_backend http_edge',
      '',
      'backend http_edge',
      '  mode tcp',
      `  server edge unix@${p.httpInternal} send-proxy-v2`,
      '',
      'frontend http_plain',
      // (HTTP/1 only here: HTTP/2 is offered on the TLS listener.)
      `  bind unix@${p.httpInternal} accept-proxy proto h1`,
      ...edge('http'),
      '',
    );
  }
  if (c.https) {
    const h = c.https;
    // The https port is TCP first: a ClientHello whose SNI is a passthrough route goes to its
    // backends untouched; every other goes on to the terminating frontend, its client address
    // carried by the PROXY protocol.
    out.push(
      'frontend tls_sni',
      '  mode tcp',
      `  bind ${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`,
      '  no log',
      `  tcp-request inspect-delay ${ms(l.headersTimeoutMs)}`,
      // (Each rule waits, up to the inspect delay, for a whole ClientHello; `accept` ends the rules, so it comes last.)
      `  tcp-request content set-var(sess.pt) req.ssl_sni,lower,map(${p.passthrough}) if { req.ssl_hello_type 1 }`,
      '  tcp-request content set-var(sess.key) var(sess.pt),field(1,|) if { var(sess.pt) -m found }',
      '  tcp-request content track-sc0 var(sess.key) table st_routes if { var(sess.pt) -m found }',
      '  tcp-request content reject if { var(sess.pt),field(3,|) -m str p }',
      '  tcp-request content accept if { req.ssl_hello_type 1 }',
      '  use_backend %[var(sess.pt),field(2,|)] if { var(sess.pt) -m found }',
      '  default_backend tls_terminate',
      '',
      'backend tls_terminate',
      '  mode tcp',
      `  server terminate unix@${p.tlsInternal} send-proxy-v2`,
      '',
      'frontend https',
      `  bind unix@${p.tlsInternal} accept-proxy ssl crt-list ${h.crtList} alpn h2,http/1.1`,
      ...edge('https'),
      '',
    );
  }
  for (const s of c.httpSlots) out.push(`backend ${s.id}`, ...s.servers.map((x) => server(x, l, true)), '');
  for (const s of c.tcpSlots) out.push(`backend ${s.id}`, '  mode tcp', ...s.servers.map((x) => server(x, l, false)), '');
  return `${out.join('\n')}\n`;
}
