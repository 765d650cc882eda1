/**
 * Header rewriting on raw (flat, case-preserving) header arrays: hop-by-hop headers belong to
 * one connection and must not cross the proxy (RFC 9110 §7.6.1); X-Forwarded-* are set by us
 * alone because this is the edge — whatever a client sent under those names is a lie we drop.
 */

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);
// Expect is answered here (100 Continue once admitted), so the backend never sees it.
const OURS = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-real-ip', 'expect']);

/** The header names a Connection header lists (they are hop-by-hop too). */
function connectionListed(raw: string[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toLowerCase() === 'connection') {
      for (const t of raw[i + 1]!.split(',')) {
        const n = t.trim().toLowerCase();
        if (n) (out ??= new Set()).add(n);
      }
    }
  }
  return out;
}

function dropped(name: string, listed: Set<string> | undefined): boolean {
  const n = name.toLowerCase();
  return HOP_BY_HOP.has(n) || n.startsWith('proxy-') || (listed !== undefined && listed.has(n));
}

export interface ForwardInfo {
  clientIp: string;
  proto: 'http' | 'https';
  host: string;
  /** A WebSocket upgrade: keep `Connection: Upgrade` and `Upgrade: websocket`. */
  websocket?: boolean;
}

/** The request headers sent to a backend. */
export function requestHeaders(raw: string[], f: ForwardInfo): string[] {
  const listed = connectionListed(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (dropped(name, listed) || OURS.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1]!);
  }
  out.push('X-Forwarded-For', f.clientIp, 'X-Forwarded-Proto', f.proto, 'X-Forwarded-Host', f.host);
  if (f.websocket) out.push('Connection', 'Upgrade', 'Upgrade', 'websocket');
  return out;
}

/** The response headers sent back to the client (Node frames the body itself). */
export function responseHeaders(raw: string[], websocket = false): string[] {
  const listed = connectionListed(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (dropped(name, listed)) continue;
    out.push(name, raw[i + 1]!);
  }
  if (websocket) out.push('Connection', 'Upgrade', 'Upgrade', 'websocket');
  return out;
}

// RFC 3986 §3.2.2-3: an IP literal or reg-name (unreserved, pct-encoded, sub-delims), then an optional port.
const HOST_VALUE = /^(?:\[[0-9a-f:.]+\]|[a-z0-9._~!$&'()*+,;=%-]*)(?::\d*)?$/i;

/**
 * What is wrong with a request's Host header lines: RFC 9112 §3.2 says 400 for more than one
 * (a proxy that picks one while the backend reads the other is routed by a lie) or an invalid value.
 */
export function hostProblem(raw: readonly string[]): 'duplicate' | 'invalid' | undefined {
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 4 || name.toLowerCase() !== 'host') continue;
    if (value !== undefined) return 'duplicate';
    value = raw[i + 1]!;
  }
  return value !== undefined && !HOST_VALUE.test(value) ? 'invalid' : undefined;
}

/** `host[:port]` → lower-case host without port and trailing dot, or undefined when malformed. */
export function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  let h = header.trim().toLowerCase();
  if (h.startsWith('[')) return undefined; // IP literals never name a route
  const colon = h.indexOf(':');
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(h.slice(colon + 1))) return undefined;
    h = h.slice(0, colon);
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h || undefined;
}
