/** The implemented pallets, in runtime order. TransactionPayment has no calls of its own. */
import type { PalletImpl } from './dispatch';
import { balancesPallet } from './balances';
import { councilPallet } from './council';
import { councilMembershipPallet } from './council-membership';
import { kvStorePallet } from './kvstore';
import { onNodeDeleted, onNodePowerStateChanged, onPublicIpRemoved, smartContractPallet } from './smart-contract';
import { systemPallet } from './system';
import { tfgridPallet } from './tfgrid';
import { addTfgridListener } from './tfgrid/hooks';
import { tftPricePallet } from './tft-price';
import { timestampPallet } from './timestamp';
import { utilityPallet } from './utility';

export const pallets: PalletImpl[] = [systemPallet, timestampPallet, utilityPallet, balancesPallet, tfgridPallet, smartContractPallet, tftPricePallet, kvStorePallet, councilPallet, councilMembershipPallet];

// The runtime's `NodeChanged` / `PublicIpModifier` wiring: SmartContractModule follows the grid.
addTfgridListener({ nodeDeleted: onNodeDeleted, nodePowerStateChanged: onNodePowerStateChanged, publicIpRemoved: onPublicIpRemoved });
