/**
 * pallet_tfgrid (`TfgridModule`, index 25): twins, farms, nodes, entities, pricing and farming
 * policies, certification, uptime and power, with the rules and errors of the real runtime.
 * Calls that are free on success (update_node, report_uptime(_v2), change_power_state) return
 * `Pays::No` as post-dispatch info, as the real runtime does: the fee is refunded. Every call
 * has the dispatcher's default weight.
 */
import type { PalletImpl } from '../dispatch';
import { farmCalls } from './farms';
import { tfgridGenesis } from './genesis';
import { nodeCalls } from './nodes';
import { policyCalls } from './policies';
import { tfgrid } from './store';
import { twinCalls } from './twins';

/** The dev-only public ranges' raw storage key and the most a chain spec may list. */
export { DEV_PUBLIC_RANGES_KEY, MAX_DEV_PUBLIC_RANGES } from './dev-public-ranges';

export const tfgridPallet: PalletImpl = {
  decl: tfgrid,
  calls: { ...twinCalls, ...farmCalls, ...nodeCalls, ...policyCalls },
  genesis: tfgridGenesis,
};
