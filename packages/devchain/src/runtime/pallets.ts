/**
 * The runtime's pallets, put together (as `construct_runtime!` does): the implemented pallets in
 * runtime order and the wiring between them. TransactionPayment has no calls of its own.
 */
import type { PalletImpl } from '../pallets/dispatch';
import { balancesPallet } from '../pallets/balances';
import { councilPallet } from '../pallets/council';
import { councilMembershipPallet } from '../pallets/council-membership';
import { kvStorePallet } from '../pallets/kvstore';
import { onNodeDeleted, onNodePowerStateChanged, onPublicIpRemoved, smartContractPallet } from '../pallets/smart-contract';
import { systemPallet } from '../pallets/system';
import { tfgridPallet } from '../pallets/tfgrid';
import { addTfgridListener } from '../pallets/tfgrid/hooks';
import { tftPricePallet } from '../pallets/tft-price';
import { timestampPallet } from '../pallets/timestamp';
import { utilityPallet } from '../pallets/utility';

export const pallets: PalletImpl[] = [
  systemPallet,
  timestampPallet,
  utilityPallet,
  balancesPallet,
  tfgridPallet,
  smartContractPallet,
  tftPricePallet,
  kvStorePallet,
  councilPallet,
  councilMembershipPallet,
];

// The runtime's `NodeChanged` / `PublicIpModifier` wiring: SmartContractModule follows the grid.
addTfgridListener({ nodeDeleted: onNodeDeleted, nodePowerStateChanged: onNodePowerStateChanged, publicIpRemoved: onPublicIpRemoved });
