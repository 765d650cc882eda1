/**
 * TFChain's runtime, declared: the pallets (System, Timestamp, Utility, Balances,
 * TransactionPayment, TfgridModule, SmartContractModule, TFTPriceModule, TFKVStore, Council,
 * CouncilMembership), the outer enums derived from them, the extrinsic format and the runtime
 * APIs. One source for the metadata and the runtime's codecs.
 *
 * To add a pallet: declare it in its own file and add it to `pallets` (in index order);
 * RuntimeCall/Event/Error follow.
 */
import { apis } from './apis';
import { balancesPallet } from './balances';
import { councilPallet } from './council';
import { councilMembershipPallet } from './council-membership';
import { EXTRINSIC_VERSION, Extra, signedExtensions, UncheckedExtrinsic } from './extrinsic';
import { kvStorePallet } from './kvstore';
import { declareRuntimeOuter, deriveOuterEnums, type RuntimePallet } from './outer';
import { MultiAddress, MultiSignature, Runtime } from './primitives';
import { smartContractPallet } from './smart-contract';
import { systemPallet } from './system';
import { tfgridPallet } from './tfgrid';
import { tftPricePallet } from './tft-price';
import { timestampPallet } from './timestamp';
import { transactionPaymentPallet } from './transaction-payment';
import type { RuntimeDecl } from './types';
import { utilityPallet } from './utility';

export const pallets: RuntimePallet[] = [
  systemPallet,
  timestampPallet,
  utilityPallet,
  balancesPallet,
  transactionPaymentPallet,
  tfgridPallet,
  smartContractPallet,
  tftPricePallet,
  kvStorePallet,
  councilPallet,
  councilMembershipPallet,
];

const outer = deriveOuterEnums(pallets);
declareRuntimeOuter(outer);

export const runtime: RuntimeDecl = {
  pallets,
  call: outer.call,
  event: outer.event,
  error: outer.error,
  runtimeType: Runtime,
  extrinsic: {
    version: EXTRINSIC_VERSION,
    type: UncheckedExtrinsic,
    address: MultiAddress,
    signature: MultiSignature,
    extra: Extra,
    signedExtensions,
  },
  apis,
};
