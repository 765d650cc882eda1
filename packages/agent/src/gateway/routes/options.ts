/** The gateway's tunables: every edge limit and timeout, with defaults sized for one gateway node. */

export interface GatewayLimits {
  /** Largest request head (request line + headers) in bytes; larger → 431. */
  maxHeaderBytes: number;
  /**
   * Most header lines in a request; more → 431. Node would silently drop those past its own count
   * (and a backend those past its own, the X-Forwarded-* we append among them).
   */
  maxHeaderCount: number;
  /** Largest request body in bytes (Content-Length or counted while streaming); larger → 413. */
  maxBodyBytes: number;
  /** Token bucket per client address: tokens added per second, and the bucket size; empty → 429 + Retry-After. */
  ratePerSecond: number;
  rateBurst: number;
  /**
   * Requests in flight (and open WebSocket tunnels) per name; one more → 503 + Retry-After.
   * 503, not 429: the name is at capacity, the client did nothing wrong (429 is the per-client limit).
   */
  maxConcurrentPerName: number;
  /** Open client connections in all (the server's maxConnections). */
  maxConnections: number;
  /** A client must send the whole request head within this (slowloris) → 408. */
  headersTimeoutMs: number;
  /** …and the whole request, body included, within this → 408. */
  requestTimeoutMs: number;
  /** Idle keep-alive client connections are closed after this. */
  keepAliveTimeoutMs: number;
  /** Connecting to a backend longer than this counts as a failed connect (→ next backend). */
  backendConnectTimeoutMs: number;
  /** A backend must answer with its response head within this → 504. */
  backendTimeoutMs: number;
  /** Idle WebSocket tunnels are closed after this (0 = never). */
  tunnelIdleTimeoutMs: number;
  /** Pooled keep-alive sockets per backend. */
  maxSocketsPerBackend: number;
  /** Health checks: one interval for all backends, and the probe's connect timeout. */
  healthIntervalMs: number;
  healthTimeoutMs: number;
  /** How often HAProxy's counters and health are read back (usage, in-flight counts, backend health). */
  statsIntervalMs: number;
  /** How often counted bytes are handed to the NRU sink. */
  usageFlushMs: number;
  /** On stop, requests in flight get this long to finish before their connections are cut. */
  drainMs: number;
}

export const DEFAULT_LIMITS: GatewayLimits = {
  maxHeaderBytes: 16 * 1024,
  maxHeaderCount: 100,
  maxBodyBytes: 64 * 1024 * 1024,
  ratePerSecond: 100,
  rateBurst: 200,
  maxConcurrentPerName: 512,
  maxConnections: 20_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
  backendConnectTimeoutMs: 3_000,
  backendTimeoutMs: 60_000,
  tunnelIdleTimeoutMs: 15 * 60_000,
  maxSocketsPerBackend: 256,
  healthIntervalMs: 10_000,
  healthTimeoutMs: 2_000,
  statsIntervalMs: 1_000,
  usageFlushMs: 15_000,
  drainMs: 3_000,
};

/** Defaults overlaid with what was given; refuses values that make no sense. */
export function limitsWith(given: Partial<GatewayLimits> = {}): GatewayLimits {
  const l = { ...DEFAULT_LIMITS, ...given };
  for (const [k, v] of Object.entries(l)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new Error(`gateway limit ${k} must be a number >= 0, got ${String(v)}`);
  }
  // Node refuses a request timeout shorter than the headers timeout.
  if (l.requestTimeoutMs && l.requestTimeoutMs < l.headersTimeoutMs) l.requestTimeoutMs = l.headersTimeoutMs;
  return l;
}
