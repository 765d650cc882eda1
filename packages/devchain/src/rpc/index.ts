// The RPC layer's public surface: the table types, errors and param validators handlers
// use, the server, the dispatcher/session, the method handlers over the chain
// (createRpcTable) and the in-process provider for socket-less clients.

export * from './error';
export * from './types';
export * from './params';
export { RpcDispatcher, type HandledMessage } from './dispatcher';
export { RpcSession, type RpcSessionOptions } from './session';
export { startRpcServer, type RpcServer, type RpcServerOptions } from './server';
export type { HttpRoute } from './http-handler';
export {
  createRpcTable,
  type RpcTableOptions,
  type NodeInfo,
  type RpcContext,
  type Handler,
  type SubscriptionHandler,
} from './methods';
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
