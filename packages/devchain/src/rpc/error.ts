// JSON-RPC 2.0 error codes and the error type handlers throw. The transport turns an
// RpcError into `{code, message, data?}` on WS and HTTP alike; anything else becomes -32603.

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INTERNAL_ERROR = -32603;

// Server-defined codes, the same numbers jsonrpsee (Substrate's RPC server) uses.
export const TOO_MANY_SUBSCRIPTIONS = -32006;
export const OVERSIZED_REQUEST = -32007;
export const OVERSIZED_RESPONSE = -32008;
export const SERVER_IS_BUSY = -32009;
export const TOO_BIG_BATCH_REQUEST = -32010;
export const TOO_BIG_BATCH_RESPONSE = -32011;

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** `RpcError(-32602, 'Invalid params: <msg>')`: the shape every param validator throws. */
export function invalidParams(msg: string, data?: unknown): RpcError {
  return new RpcError(INVALID_PARAMS, `Invalid params: ${msg}`, data);
}
