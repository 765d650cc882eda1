// The shape of an RPC table: what namespace files export and the transport serves.

export type RpcParams = unknown[];

/** Answers with a value or a promise of one (`unknown` covers both). */
export type RpcMethod = (params: RpcParams) => unknown;

export interface RpcSubscription {
  /** method name of the notification, e.g. 'chain_newHead' */
  notification: string;
  /** name(s) of the unsubscribe method(s), e.g. ['chain_unsubscribeNewHeads', 'chain_unsubscribeNewHead'] */
  unsubscribe: string[];
  /**
   * Start the subscription; call emit(result) for each notification; return the teardown.
   * Throw RpcError for bad params. May emit synchronously, even before it returns: the
   * transport holds notifications until the subscription id reply has been sent.
   */
  subscribe(params: RpcParams, emit: (result: unknown) => void): (() => void) | Promise<() => void>;
}

export interface RpcTable {
  methods: Record<string, RpcMethod>;
  subscriptions: Record<string, RpcSubscription>;
}
