/**
 * haproxy.cfg of the gateway, rendered from its listeners, limits and the backend slots in use.
 * What changes per request-routing decision lives in maps (routes.map: Host → "key slot state";
 * passthrough.map: SNI → slot; challenges.map: ACME token → answer) that the runtime API edits
 * at once; the config itself changes only when slots run out or listeners change (a reload).
 * Backends are slots (`h<N>` for HTTP routes, `t<N>` for TLS passthrough ones). An HTTP slot has
 * its seats in the config (`s1`…, parked and disabled until a backend takes one: the runtime API
 * sets its address and enables it); other servers (TLS to the backend, a private network's relay
 * socket, a route with more backends than seats) the runtime API adds and deletes. The config
 * lists the servers known when it was rendered, so a restart or reload starts with the same state.
 */
import path from 'node:path';
import { hostPort } from '../../core/address';
import type { GatewayLimits } from '../routes/options';
import { MAX_LOG_LINE } from './process';
import { countedFrontend, edgeRules, rateWindowMs } from './edge';
import { bufferSize, ms, paths } from './files';
import { PARKED } from './slots';

const PARKED_ADDRESS = `${PARKED.ip}:${PARKED.port}`;

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
  /** Seats s1…s<seats>: those not in `servers` are rendered parked and disabled. */
  seats?: number;
}

export interface ConfigInput {
  dir: string;
  limits: GatewayLimits;
  http?: { host: string; port: number };
  https?: { host: string; port: number; crtList: string };
  httpSlots: SlotSpec[];
  tcpSlots: SlotSpec[];
  /** Name of this instance in the local peers section (stick tables survive reloads). */
  peerName: string;
  peerPort: number;
}

function server(s: ServerSpec, l: GatewayLimits, http: boolean): string {
  const parts = [`server ${s.id} ${s.address}`];
  if (s.tls) parts.push('ssl', `sni str(${s.tls.sni})`, s.tls.verify ? 'verify required ca-file @system-ca' : 'verify none');
  // Checks are HAProxy's: on the health interval, and passively on every failed connect.
  const inter = l.healthIntervalMs > 0 ? l.healthIntervalMs : 24 * 3600_000;
  // A server marked down (a failed connect forces `fastinter`) is checked again every second
  // whatever the interval, so a backend that comes back (a restarted relay, a redeployed machine)
  // is served again at once.
  const again = ms(Math.min(inter, 1000));
  parts.push(
    `check inter ${ms(inter)} fastinter ${again} downinter ${again} fall 1 rise 1 observe layer4 error-limit 1 on-error mark-down`,
  );
  if (http && l.maxSocketsPerBackend > 0) parts.push(`pool-max-conn ${l.maxSocketsPerBackend}`);
  if (s.disabled) parts.push('disabled');
  return `  ${parts.join(' ')}`;
}

/** A slot's servers with every seat nobody holds parked (disabled, 0.0.0.0:0), seats first. */
function slotServers(s: SlotSpec): ServerSpec[] {
  const held = new Map(s.servers.map((x) => [x.id, x]));
  const seats = Array.from(
    { length: s.seats ?? 0 },
    (_, i) => held.get(`s${i + 1}`) ?? { id: `s${i + 1}`, address: PARKED_ADDRESS, disabled: true },
  );
  const names = new Set(seats.map((x) => x.id));
  return [...seats, ...s.servers.filter((x) => !names.has(x.id))];
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
    `  log stdout len ${MAX_LOG_LINE} format raw local0 info`,
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
    // (Connection failures only: any other retry condition makes HAProxy copy every request into a
    // second buffer for a possible resend, some 7 µs of CPU per request.)
    '  retry-on conn-failure',
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
  if (c.http) {
    // The port is TCP first, for the first head of each connection as its bytes arrived (lua
    // tfgw_head); then the connection switches to HTTP in place and passes the edge's rules. Its
    // later requests are HTTP streams of the same frontend: they skip the raw check.
    out.push(
      'frontend http',
      '  mode tcp',
      `  bind ${hostPort(c.http.host, c.http.port)}`,
      `  tcp-request inspect-delay ${ms(l.headersTimeoutMs)}`,
      '  tcp-request content accept if { var(sess.checked) -m found }',
      // (A payload fetch that does not match yet waits for more data: this rule holds until a whole head is in.)
      "  tcp-request content set-var(sess.head) int(1) if { req.payload(0,0) -m reg '\\n\\r?\\n' }",
      '  tcp-request content lua.tfgw_head',
      '  tcp-request content use-service lua.tfgw_refuse if { var(sess.refuse) -m found }',
      '  tcp-request content set-var(sess.checked) int(1)',
      // (HTTP/1 only here: HTTP/2 is offered on the TLS listener.)
      '  tcp-request content switch-mode http proto h1',
      ...edgeRules('http', l, p),
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
      `  bind ${hostPort(h.host, h.port)}`,
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
      ...edgeRules('https', l, p),
      '',
    );
  }
  if (c.http || c.https) out.push(...countedFrontend(l, p));
  for (const s of c.httpSlots) out.push(`backend ${s.id}`, ...slotServers(s).map((x) => server(x, l, true)), '');
  for (const s of c.tcpSlots) out.push(`backend ${s.id}`, '  mode tcp', ...s.servers.map((x) => server(x, l, false)), '');
  return `${out.join('\n')}\n`;
}
