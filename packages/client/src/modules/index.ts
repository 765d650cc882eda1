/** The client's modules (one per pallet it speaks to), each made from a ModuleContext; the client puts them together. */
export type { ModuleContext, ReadOptions } from './context';
export { EVENT_MISSING, RUNTIME_LACKS_ITEM, RuntimeItemMissingError } from './context';
export { twins, type TwinsModule } from './twins';
export { farms, type FarmsModule } from './farms';
export { nodes, type NodesModule, type NodeInput } from './nodes';
export { contracts, type ContractsModule } from './contracts';
export { kvstore, type KvStoreModule } from './kvstore';
export { balances, type BalancesModule, type Balance } from './balances';
export { policies, type PoliciesModule } from './policies';
export { price, type PriceModule, type TftPrice } from './price';
