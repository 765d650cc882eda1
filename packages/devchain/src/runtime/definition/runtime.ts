/**
 * TFChain's runtime, declared: the pallets (System, Timestamp, Utility, Balances,
 * TransactionPayment, Council, CouncilMembership), the outer enums derived from them, the
 * extrinsic format and the runtime APIs. One source for the metadata and the runtime's codecs.
 *
 * To add a pallet (TfgridModule 25, SmartContractModule 26, TFTPriceModule 28, TFKVStore 30):
 * declare it in its own file and add it to `pallets`; RuntimeCall/Event/Error follow.
 */
import { apis } from './apis';
import { balancesPallet } from './balances';
import { councilPallet } from './council';
import { councilMembershipPallet } from './council-membership';
import { EXTRINSIC_VERSION, Extra, signedExtensions, UncheckedExtrinsic } from './extrinsic';
import { deriveOuterEnums, type RuntimePallet } from './outer';
import { MultiAddress, MultiSignature, Runtime } from './primitives';
import { systemPallet } from './system';
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
  councilPallet,
  councilMembershipPallet,
];

const outer = deriveOuterEnums(pallets);

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

export * from './apis';
export * from './balances';
export * from './council';
export * from './council-membership';
export * from './extrinsic';
export * from './origin';
export * from './outer';
export * from './primitives';
export * from './system';
export * from './timestamp';
export * from './transaction-payment';
export * from './utility';
