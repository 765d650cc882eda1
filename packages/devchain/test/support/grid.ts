/**
 * Test helpers over @polkadot/api for the grid pallets (TfgridModule, SmartContractModule, ...):
 * send a transaction and read its outcome, name a module error, and set up the usual fixtures
 * (a twin, a farm, a node) in as few lines as a test needs.
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { Keyring } from '@polkadot/keyring';
import type { ProviderInterface } from '@polkadot/rpc-provider/types';
import type { EventRecord, DispatchError } from '@polkadot/types/interfaces';
import type { Codec } from '@polkadot/types/types';
import { submit } from '@tfgrid/testkit';

export interface SendResult {
  /** The events of this extrinsic (matched by its ApplyExtrinsic phase). */
  events: EventRecord[];
  /** Set when the call failed (System.ExtrinsicFailed). */
  dispatchError?: DispatchError;
  blockHash: string;
}

/** Signs and sends; resolves at InBlock (or Finalized if that comes first), rejects if the node refuses the transaction. */
export async function send(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair): Promise<SendResult> {
  void api;
  // Finalized stands in for InBlock when a busy client delivers only the later status.
  const r = await submit(tx, signer, (x) => x.status.isInBlock || x.status.isFinalized);
  const blockHash = (r.status.isInBlock ? r.status.asInBlock : r.status.asFinalized).toHex();
  return { events: [...r.events], dispatchError: r.dispatchError, blockHash };
}

/** `Section.Name` of a module error (e.g. 'TfgridModule.TwinWithPubkeyExists'), else the error kind ('BadOrigin'). */
export function moduleErrorName(api: ApiPromise, dispatchError: DispatchError | undefined): string | undefined {
  if (!dispatchError) return undefined;
  if (dispatchError.isModule) {
    const meta = api.registry.findMetaError(dispatchError.asModule);
    return `${pallet(api, dispatchError.asModule.index.toNumber())}.${meta.name}`;
  }
  return dispatchError.type;
}

function pallet(api: ApiPromise, index: number): string {
  const p = api.runtimeMetadata.asLatest.pallets.find((x) => x.index.toNumber() === index);
  return p ? p.name.toString() : String(index);
}

/** Sends and throws with the error's name unless the call succeeded. */
export async function sendOk(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair): Promise<SendResult> {
  const r = await send(api, tx, signer);
  if (r.dispatchError) throw new Error(`${tx.method.section}.${tx.method.method} failed: ${moduleErrorName(api, r.dispatchError)}`);
  return r;
}

/** Sends and answers the failure's name (undefined if the call succeeded). */
export async function sendErr(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair): Promise<string | undefined> {
  return moduleErrorName(api, (await send(api, tx, signer)).dispatchError);
}

/** The data of the first event `section.method` among `events` (as JSON), or undefined. */
export function eventData(events: EventRecord[], name: string): unknown[] | undefined {
  const [section, method] = name.split('.');
  const e = events.find((x) => x.event.section === section && x.event.method === method);
  return e ? (e.event.data.toJSON() as unknown[]) : undefined;
}

const keyring = new Keyring({ type: 'sr25519' });
/** A dev key (`//Alice`) or a fresh one from hard derivations (`//grid-test//x`; ed25519 has no soft ones), sr25519 by default. */
export const pairOf = (uri: string, type: 'sr25519' | 'ed25519' = 'sr25519'): KeyringPair =>
  type === 'sr25519' ? keyring.addFromUri(uri) : new Keyring({ type: 'ed25519' }).addFromUri(uri);

/** 1 TFT in units (7 decimals). */
export const TFT = 10_000_000n;

/** Funds `who` from //Alice when its free balance is below `min` (default 100 TFT, tops up to 1000 TFT). */
export async function fund(api: ApiPromise, who: string, min = 100n * TFT): Promise<void> {
  const acc = (await api.query.system.account(who)) as unknown as { data: { free: { toBigInt(): bigint } } };
  if (acc.data.free.toBigInt() >= min) return;
  await sendOk(api, api.tx.balances.transferKeepAlive(who, 1000n * TFT), pairOf('//Alice'));
}

export const TC_LINK = 'https://library.threefold.me/info/legal/#/';
export const TC_HASH = '1234567890abcdef1234567890abcdef';

/** Accepts the terms (if not yet) and creates a twin for `pair`; answers the twin id (existing one if any). */
export async function setupTwin(api: ApiPromise, pair: KeyringPair, opts: { relay?: string; pk?: string } = {}): Promise<number> {
  const existing = await twinIdOf(api, pair.address);
  if (existing) return existing;
  await fund(api, pair.address, 10n * TFT);
  const tc = (await api.query.tfgridModule.usersTermsAndConditions(pair.address)) as unknown as { isSome: boolean };
  if (!tc.isSome) await sendOk(api, api.tx.tfgridModule.userAcceptTc(TC_LINK, TC_HASH), pair);
  await sendOk(api, api.tx.tfgridModule.createTwin(opts.relay ?? 'relay.dev.grid.tf', opts.pk ?? null), pair);
  return (await twinIdOf(api, pair.address))!;
}

/** The twin id of an account, or undefined. */
export async function twinIdOf(api: ApiPromise, address: string): Promise<number | undefined> {
  const v = (await api.query.tfgridModule.twinIdByAccountID(address)) as unknown as { isSome: boolean; unwrap(): { toNumber(): number } };
  return v.isSome ? v.unwrap().toNumber() : undefined;
}

/** Creates a farm owned by `owner`'s twin (created if needed); answers the farm id. */
export async function setupFarm(
  api: ApiPromise,
  owner: KeyringPair,
  name: string,
  publicIps: { ip: string; gw: string }[] = [],
): Promise<number> {
  await setupTwin(api, owner);
  await sendOk(api, api.tx.tfgridModule.createFarm(name, publicIps), owner);
  return ((await api.query.tfgridModule.farmIdByName(name)) as unknown as { toNumber(): number }).toNumber();
}

export const GiB = 1024n ** 3n;

/** Valid node inputs: 4 cores, 8 GiB RAM, 500 GiB SSD, Ghent, one interface. */
export const defaultNode = {
  resources: { hru: 0n, sru: 500n * GiB, cru: 4n, mru: 8n * GiB },
  location: { city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: '3.72' },
  interfaces: [{ name: 'zos', mac: '00:11:22:33:44:55', ips: ['10.2.0.5'] }],
  secureBoot: false,
  virtualized: false,
  serialNumber: 'SN-0001' as string | null,
};
export type NodeOptions = Partial<typeof defaultNode>;

/**
 * Registers `nodePair` as a node of `farmId`: funds its account from //Alice if needed, creates its
 * twin, then the node. Answers the node id.
 */
export async function setupNode(api: ApiPromise, nodePair: KeyringPair, farmId: number, opts: NodeOptions = {}): Promise<number> {
  const n = { ...defaultNode, ...opts };
  const twinId = await setupTwin(api, nodePair);
  await sendOk(
    api,
    api.tx.tfgridModule.createNode(farmId, n.resources, n.location, n.interfaces, n.secureBoot, n.virtualized, n.serialNumber),
    nodePair,
  );
  return ((await api.query.tfgridModule.nodeIdByTwinID(twinId)) as unknown as { toNumber(): number }).toNumber();
}

/**
 * Runs `tx` through a council motion of //Alice and //Bob (threshold 2 of 2): propose, Bob votes
 * aye, close. Answers the close's result (its events include Council.Executed with the call's result).
 */
export async function councilApprove(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>): Promise<SendResult> {
  const alice = pairOf('//Alice');
  const bob = pairOf('//Bob');
  const len = tx.method.encodedLength;
  const proposed = await sendOk(api, api.tx.council.propose(2, tx.method, len), alice);
  const data = eventData(proposed.events, 'council.Proposed')!;
  const [index, hash] = [data[1] as number, data[2] as string];
  await sendOk(api, api.tx.council.vote(hash, index, true), alice);
  await sendOk(api, api.tx.council.vote(hash, index, true), bob);
  return sendOk(api, api.tx.council.close(hash, index, { refTime: 1_000_000_000, proofSize: 100_000 }, len), alice);
}

/** The name of the error a council-executed call failed with (from Council.Executed), or undefined on success. */
export function councilResultError(api: ApiPromise, r: SendResult): string | undefined {
  const e = r.events.find((x) => x.event.section === 'council' && x.event.method === 'Executed');
  if (!e) throw new Error('no Council.Executed event');
  const result = e.event.data[1] as unknown as { isErr: boolean; asErr: DispatchError };
  return result.isErr ? moduleErrorName(api, result.asErr) : undefined;
}

/** Writes raw storage in a new block (`dev_setStorage`): `[key, value | null]` pairs, null deletes. */
export async function setStorage(provider: ProviderInterface, changes: [string, string | null][]): Promise<void> {
  await provider.send('dev_setStorage', [changes]);
}

/** Re-encodes a stored value after changing its JSON (`patch` gets and returns the value's JSON). */
export function patched<T>(api: ApiPromise, value: Codec, patch: (json: T) => T): string {
  return api.createType(value.toRawType(), patch(value.toJSON() as T)).toHex();
}
