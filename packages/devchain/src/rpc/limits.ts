// The RPC server's limits, named and defaulted as Substrate's node flags (sc-cli RunCmd).
// Substrate leaves the batch length unlimited by default; this node caps it, because every
// call of a batch is held until the batch is answered.

const MIB = 1024 * 1024;

export interface RpcLimits {
  /** largest request (HTTP body or WS message) in bytes: --rpc-max-request-size (MiB, default 15) */
  maxRequestBytes: number;
  /** largest reply, or sum of a batch's replies, in bytes: --rpc-max-response-size (MiB, default 15) */
  maxResponseBytes: number;
  /** most calls in one batch: --rpc-max-batch-request-len (default 1000 here; unlimited in Substrate) */
  maxBatchLength: number;
  /** WebSocket connections at once: --rpc-max-connections (default 100) */
  maxConnections: number;
  /** live subscriptions per connection: --rpc-max-subscriptions-per-connection (default 1024) */
  maxSubscriptionsPerConnection: number;
  /**
   * messages of one WebSocket connection handled at once; the socket is not read further until
   * one is answered: --rpc-message-buffer-capacity-per-connection (default 64)
   */
  maxInFlightPerConnection: number;
}

export const DEFAULT_RPC_LIMITS: Readonly<RpcLimits> = {
  maxRequestBytes: 15 * MIB,
  maxResponseBytes: 15 * MIB,
  maxBatchLength: 1000,
  maxConnections: 100,
  maxSubscriptionsPerConnection: 1024,
  maxInFlightPerConnection: 64,
};

/** The CLI's flags for each limit, with their unit and range. */
export const RPC_LIMIT_FLAGS = {
  'rpc-max-request-size': { limit: 'maxRequestBytes', unit: MIB, min: 1, max: 1024 },
  'rpc-max-response-size': { limit: 'maxResponseBytes', unit: MIB, min: 1, max: 1024 },
  'rpc-max-batch-request-len': { limit: 'maxBatchLength', unit: 1, min: 1, max: 1_000_000 },
  'rpc-max-connections': { limit: 'maxConnections', unit: 1, min: 1, max: 100_000 },
  'rpc-max-subscriptions-per-connection': { limit: 'maxSubscriptionsPerConnection', unit: 1, min: 1, max: 1_000_000 },
  'rpc-message-buffer-capacity-per-connection': { limit: 'maxInFlightPerConnection', unit: 1, min: 1, max: 1_000_000 },
} as const satisfies Record<string, { limit: keyof RpcLimits; unit: number; min: number; max: number }>;
