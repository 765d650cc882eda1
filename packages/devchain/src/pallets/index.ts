/** The implemented pallets, in runtime order. TransactionPayment has no calls of its own. */
import type { PalletImpl } from '../runtime/dispatch';
import { balancesPallet } from './balances';
import { councilPallet } from './council';
import { councilMembershipPallet } from './council-membership';
import { systemPallet } from './system';
import { timestampPallet } from './timestamp';
import { utilityPallet } from './utility';

export const pallets: PalletImpl[] = [systemPallet, timestampPallet, utilityPallet, balancesPallet, councilPallet, councilMembershipPallet];
