// The RPC transport's public surface: the table types, errors and param validators handlers
// use, the server, and the dispatcher/session an in-process provider can reuse.

export * from './error';
export * from './types';
export * from './params';
export { RpcDispatcher, type HandledMessage } from './dispatcher';
export { RpcSession, type RpcSessionOptions } from './session';
export { startRpcServer, type RpcServer, type RpcServerOptions } from './server';
export type { HttpRoute } from './http-handler';
