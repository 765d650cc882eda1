/**
 * The gateway workloads' own rules (Zero-OS's GatewayBase and its two kinds), as a node checks
 * them before it provisions one: `gateway-name-proxy` serves `<name>.<node's domain>` for a name
 * contract, `gateway-fqdn-proxy` serves the deployer's own domain `fqdn`, whose DNS points at the
 * gateway node. Both carry `backends`, `tls_passthrough` and an optional `network`.
 */

/** At most this many backends per gateway workload. */
export const MAX_GATEWAY_BACKENDS = 16;
/** Longest backend accepted (a host name is at most 253 characters). */
export const MAX_BACKEND_LENGTH = 300;

/** A name contract's name (the part before the node's domain). */
export const GATEWAY_NAME = /^[a-z0-9_-]{3,64}$/;

/**
 * A DNS name a certificate can be issued for: two labels or more, each 1-63 letters, digits or
 * `-` not at either end, the last starting with a letter (so never an IP address), at most 253
 * characters, no trailing dot. Case does not matter (a node compares it in lower case).
 */
const FQDN = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A `tls_passthrough` backend: `IPv4:port` or `[IPv6]:port` (the TLS stream goes to it as is). */
const PASSTHROUGH_BACKEND = /^(?:(\d{1,3}(?:\.\d{1,3}){3})|\[([0-9a-fA-F:.]{2,45})\]):(\d{1,5})$/;
/** Any other backend: `http(s)://host[:port]`, no path, credentials or query. */
const HTTP_BACKEND = /^https?:\/\/(?:\[[0-9a-fA-F:.]{2,45}\]|[^\s/@?#:[\]]+)(?::(\d{1,5}))?\/?$/;

/** Why `fqdn` cannot be a gateway-fqdn-proxy's domain, or undefined when it can. */
export function fqdnProblem(fqdn: unknown): string | undefined {
  if (typeof fqdn !== 'string') return 'must be a domain name (a string), e.g. www.example.com';
  if (!FQDN.test(fqdn))
    return `must be a domain name of two labels or more (letters, digits, '-' not at a label's ends; the last label starts with a letter; at most 253 characters, no trailing dot), got ${JSON.stringify(fqdn.slice(0, 260))}`;
  return undefined;
}

/** `fqdn` as a node keys it: lower case. */
export function normalFqdn(fqdn: string): string {
  return fqdn.toLowerCase();
}

/**
 * Whether `fqdn` is the gateway domain `domain` or a name under it: those are the node's own names,
 * served for name contracts only (a gateway-fqdn-proxy there is refused).
 */
export function fqdnUnderDomain(fqdn: string, domain: string): boolean {
  const f = normalFqdn(fqdn);
  const d = normalFqdn(domain).replace(/\.$/, '');
  return d !== '' && (f === d || f.endsWith(`.${d}`));
}

/** Why `backend` cannot be a gateway backend (with or without `tls_passthrough`), or undefined. */
export function gatewayBackendProblem(backend: unknown, tlsPassthrough: boolean): string | undefined {
  if (typeof backend !== 'string' || backend.length > MAX_BACKEND_LENGTH)
    return `must be a string of at most ${MAX_BACKEND_LENGTH} characters`;
  if (!tlsPassthrough) {
    const h = HTTP_BACKEND.exec(backend);
    return h ? portProblem(h[1]) : 'must be http(s)://host[:port]';
  }
  const m = PASSTHROUGH_BACKEND.exec(backend);
  if (!m || (m[1] !== undefined && m[1].split('.').some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))))
    return `must be IP:port (IPv4 or [IPv6]) with tls_passthrough: the TLS connection goes to it as it came, got ${JSON.stringify(backend)}`;
  return portProblem(m[3]);
}

function portProblem(port: string | undefined): string | undefined {
  if (port === undefined) return undefined;
  const n = Number(port);
  return n >= 1 && n <= 65535 ? undefined : `port ${port} must be 1-65535`;
}

/** The rules of GatewayBase: backends (as `tls_passthrough` wants them) and `tls_passthrough` itself. */
export function gatewayBaseProblems(d: Record<string, unknown>, bad: (field: string, message: string) => void): void {
  if (d.tls_passthrough !== undefined && typeof d.tls_passthrough !== 'boolean') bad('tls_passthrough', 'must be a boolean');
  const passthrough = d.tls_passthrough === true;
  if (!Array.isArray(d.backends) || d.backends.length === 0)
    return bad('backends', passthrough ? 'must be a non-empty array of IP:port' : 'must be a non-empty array of http(s)://host[:port]');
  if (d.backends.length > MAX_GATEWAY_BACKENDS) return bad('backends', `must hold at most ${MAX_GATEWAY_BACKENDS} backends`);
  d.backends.forEach((b, i) => {
    const why = gatewayBackendProblem(b, passthrough);
    if (why) bad(`backends[${i}]`, why);
  });
}

/** `gateway-name-proxy`'s rules. */
export function gatewayNameProblems(d: Record<string, unknown>, bad: (field: string, message: string) => void): void {
  if (typeof d.name !== 'string' || !GATEWAY_NAME.test(d.name)) bad('name', 'must be 3-64 characters of [a-z0-9-_] (the name contract)');
  gatewayBaseProblems(d, bad);
}

/** `gateway-fqdn-proxy`'s rules. */
export function gatewayFqdnProblems(d: Record<string, unknown>, bad: (field: string, message: string) => void): void {
  const why = fqdnProblem(d.fqdn);
  if (why) bad('fqdn', why);
  gatewayBaseProblems(d, bad);
}

/**
 * Across the deployment: no two gateway workloads serve the same name or the same domain (a node
 * serves each once; the second would be refused as taken).
 */
export function gatewayDuplicates(workloads: unknown[], bad: (path: string, message: string) => void): void {
  const seen = new Map<string, number>();
  workloads.forEach((w, i) => {
    const x = w as { type?: unknown; data?: { name?: unknown; fqdn?: unknown } } | null;
    const served = x?.type === 'gateway-name-proxy' ? x.data?.name : x?.type === 'gateway-fqdn-proxy' ? x.data?.fqdn : undefined;
    if (typeof served !== 'string') return;
    const key = `${x!.type as string} ${normalFqdn(served)}`; // a served name means a gateway type above
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else
      bad(
        `$.workloads[${i}].data.${x!.type === 'gateway-name-proxy' ? 'name' : 'fqdn'}`,
        `'${served}' is served by workloads[${first}] already`,
      );
  });
}
