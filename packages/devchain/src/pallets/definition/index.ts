/**
 * TFChain's runtime, declared (the pallets' calls, events, errors, storage and constants, the
 * outer enums, the extrinsic format, the runtime APIs): `runtime` and every codec it is made of.
 */
export * from './runtime';
export type {
  ConstantDecl,
  PalletDecl,
  RuntimeApiDecl,
  RuntimeApiMethodDecl,
  RuntimeDecl,
  SignedExtensionDecl,
  StorageDecl,
} from './types';
export * from './apis';
export * from './balances';
export * from './council';
export * from './council-membership';
export * from './extrinsic';
export * from './kvstore';
export * from './origin';
export * from './outer';
export * from './primitives';
export * from './smart-contract';
export * from './smart-contract-types';
export * from './system';
export * from './tfchain-support';
export * from './tfgrid';
export * from './tfgrid-types';
export * from './tft-price';
export * from './timestamp';
export * from './transaction-payment';
export * from './utility';
