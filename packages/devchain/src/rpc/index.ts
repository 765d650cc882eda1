// The RPC layer's transport: the table types, errors and param validators handlers use, the
// server, the dispatcher/session and the in-process provider for socket-less clients. The
// handlers over the chain (createRpcTable) are the folder above it, rpc/methods.

export * from './error';
export * from './types';
export * from './params';
export { RpcDispatcher, type HandledMessage } from './dispatcher';
export { RpcSession, type RpcSessionOptions } from './session';
export { startRpcServer, type RpcServer, type RpcServerOptions } from './server';
export type { HttpRoute } from './http-handler';
export {
  createInProcessProvider,
  InProcessProvider,
  ProviderRpcError,
  type InProcessProviderOptions,
  type ProviderCallback,
  type ProviderEvent,
  type ProviderEventCallback,
  type ProviderStats,
  type EndpointStats,
} from './provider';
