/**
 * Chain refusals in words. TFChain's metadata carries few error docs, so the errors people meet
 * most get a sentence here (with what to do); the rest fall back to the metadata's docs.
 */
import type { ChainError, InvalidTransactionError } from '@tfgrid/client';
import { CliFailure } from './errors';

const WORDS: Record<string, string> = {
  'TfgridModule.FarmExists': 'a farm with this name already exists; pick another name',
  'TfgridModule.FarmNotExists': 'there is no farm with this id',
  'TfgridModule.CannotCreateFarmWrongTwin': 'this account has no twin; run `tfgrid twin create` first',
  'TfgridModule.CannotUpdateFarmWrongTwin': 'the farm belongs to another twin; only its owner may change it',
  'TfgridModule.InvalidFarmName': 'the farm name may hold only letters, digits, _ and - (3 to 40 characters)',
  'TfgridModule.FarmNameTooShort': 'the farm name is too short (at least 3 characters)',
  'TfgridModule.FarmNameTooLong': 'the farm name is too long',
  'TfgridModule.IpExists': 'this public IP is already in the farm',
  'TfgridModule.IpNotExists': 'this public IP is not in the farm',
  'TfgridModule.InvalidPublicIP': 'the public IP must be IPv4 in CIDR form (e.g. 185.206.122.33/24) with a gateway in the same subnet',
  'TfgridModule.TwinExists': 'this account already has a twin',
  'TfgridModule.TwinNotExists': 'no twin with this id (or this account has no twin; run `tfgrid twin create`)',
  'TfgridModule.TwinWithPubkeyExists': 'this account already has a twin',
  'TfgridModule.CannotCreateTwin': 'the chain could not create the twin',
  'TfgridModule.UserDidNotSignTermsAndConditions':
    'this account has not accepted the terms and conditions; run `tfgrid terms accept` first',
  'TfgridModule.FarmerDidNotSignTermsAndConditions':
    'the farmer has not accepted the terms and conditions; run `tfgrid terms accept` first',
  'TfgridModule.NodeNotExists': 'there is no node with this id',
  'TfgridModule.UnauthorizedToChangePowerTarget': "only the node's farmer may change its power target",
  'TfgridModule.NodeHasActiveContracts': 'the node still has active contracts',
  'TfgridModule.InvalidRelay': 'the relay must be a domain name',
  'TfgridModule.InvalidDocumentLinkInput': 'the terms document link is not valid',
  'TfgridModule.InvalidDocumentHashInput': 'the terms document hash is not valid',
  'SmartContractModule.TwinNotExists': 'this account has no twin; run `tfgrid twin create` first',
  'SmartContractModule.NodeNotExists': 'there is no node with this id',
  'SmartContractModule.ContractNotExists': 'there is no live contract with this id',
  'SmartContractModule.TwinNotAuthorizedToCancelContract': 'the contract belongs to another twin; only its owner may cancel it',
  'SmartContractModule.TwinNotAuthorizedToUpdateContract': 'the contract belongs to another twin; only its owner may update it',
  'SmartContractModule.ContractIsNotUnique':
    'a contract with this deployment hash already exists on this node (change the deployment, e.g. its description)',
  'SmartContractModule.NameExists': 'this name is already reserved',
  'SmartContractModule.NameNotValid': 'the name may hold only lowercase letters, digits, - and _',
  'SmartContractModule.NameContractNameTooShort': 'the name is too short (at least 3 characters)',
  'SmartContractModule.NameContractNameTooLong': 'the name is too long',
  'SmartContractModule.FarmHasNotEnoughPublicIPs': "the node's farm has not that many public IPs",
  'SmartContractModule.FarmHasNotEnoughPublicIPsFree': "the node's farm has not that many free public IPs",
  'SmartContractModule.NotEnoughResourcesOnNode': 'the node has not enough free capacity',
  'SmartContractModule.NodeNotAvailableToDeploy': 'the node is rented by another twin or in a dedicated farm',
  'SmartContractModule.NodeHasRentContract': 'the node is already rented',
  'SmartContractModule.CannotUpdateContractInGraceState': 'the contract is in its grace period (out of funds); fund the account first',
  'TFKVStore.KeyIsTooLarge': 'a notary key is too large',
  'TFKVStore.ValueIsTooLarge': 'a notary value is too large',
  'Token.FundsUnavailable': 'the account has not enough free TFT',
  'Balances.InsufficientBalance': 'the account has not enough free TFT',
  'Balances.ExistentialDeposit': 'the amount is below the existential deposit (an account must keep a minimum)',
  'Balances.Expendability': 'the transfer would leave the sender below the existential deposit',
  BadOrigin: 'this call needs another signer (e.g. the council)',
};

/** The sentence for `Pallet.Error`, else the metadata docs, else the name alone. */
export function explainChainError(e: ChainError): string {
  const words = WORDS[e.fullName] ?? WORDS[e.error] ?? (e.docs || undefined);
  return `the chain refused it: ${e.fullName}${words ? ` — ${words}` : ''}`;
}

/** Who signed the refused transaction: its address and where its key came from (never the key). */
export interface Signer {
  address: string;
  source: string;
}

const signedBy = (s: Signer | undefined): string => (s ? ` (signer ${s.address}, key from ${s.source})` : '');
const signerDetail = (s: Signer | undefined): Record<string, unknown> => (s ? { signer: { address: s.address, keySource: s.source } } : {});

/**
 * Turns what the client throws into a CliFailure with words (or leaves other errors as they are);
 * a refusal names the signing account, since "who signed" is the first question when one fails.
 */
export function explain(err: unknown, signer?: Signer): unknown {
  // By name, not instanceof: the client is loaded lazily (help and usage errors never load it).
  if (isNamed<ChainError>(err, 'ChainError')) {
    return new CliFailure(`${explainChainError(err)}${signedBy(signer)}`, {
      kind: 'chain',
      pallet: err.pallet,
      error: err.error,
      name: err.fullName,
      docs: err.docs,
      ...signerDetail(signer),
    });
  }
  if (isNamed<InvalidTransactionError>(err, 'InvalidTransactionError')) {
    const fees = err.kind === 'Payment' ? ' (the account needs TFT to pay the fee: fund it first)' : '';
    return new CliFailure(`the node refused the transaction: ${err.reason}${fees}${signedBy(signer)}`, {
      kind: 'refused',
      code: err.code,
      reason: err.reason,
      ...signerDetail(signer),
    });
  }
  return err;
}

function isNamed<T>(e: unknown, name: string): e is T {
  return e instanceof Error && e.name === name;
}
