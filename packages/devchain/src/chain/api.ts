/**
 * What the RPC layer may ask of the chain. Values are the JSON shapes Substrate's RPC returns
 * (0x hex strings, block numbers as hex in headers), so handlers stay thin.
 */
import type { Hex } from '../util/hex';
import type { RuntimeVersionJson } from '../runtime/version';

export interface HeaderJson {
  parentHash: Hex;
  number: Hex;
  stateRoot: Hex;
  extrinsicsRoot: Hex;
  digest: { logs: Hex[] };
}

export interface SignedBlockJson {
  block: { header: HeaderJson; extrinsics: Hex[] };
  justifications: null;
}

export type { RuntimeVersionJson } from '../runtime/version';

/** Substrate's TransactionStatus as sent to `author_extrinsicUpdate` subscribers. */
export type TxStatus =
  'future' | 'ready' | { inBlock: Hex } | { finalized: Hex } | { retracted: Hex } | 'dropped' | { usurped: Hex } | 'invalid';

export interface ChainEvents {
  /** A new best block (every block is best: the dev chain does not fork). */
  newHead(header: HeaderJson, hash: Hex): void;
  finalized(header: HeaderJson, hash: Hex): void;
}

export interface ChainApi {
  readonly name: string;
  readonly chainType: 'Development' | 'Local' | 'Live';
  readonly properties: Record<string, unknown>;
  readonly genesisHash: Hex;

  bestNumber(): number;
  bestHash(): Hex;
  finalizedHash(): Hex;
  finalizedNumber(): number;

  /** Hash of block `n` (best if omitted), null where there is no such block. */
  blockHash(n?: number): Promise<Hex | null>;
  /** Header of the block (best if omitted); null for an unknown hash. */
  header(hash?: Hex): Promise<HeaderJson | null>;
  block(hash?: Hex): Promise<SignedBlockJson | null>;

  /** The runtime version at a block (best if omitted): the runtime its state's `:code` names. */
  runtimeVersion(at?: Hex): Promise<RuntimeVersionJson>;
  /** Prefixed V14 metadata of the runtime at a block (best if omitted): what `state_getMetadata` returns. */
  metadata(at?: Hex): Promise<Hex>;

  /**
   * Raw storage at a block (best if omitted). Throws a ChainError coded `UnknownBlock`
   * when the hash is not a retained block.
   */
  storage(key: Hex, at?: Hex): Promise<Hex | null>;
  storageKeys(prefix: Hex, at?: Hex, count?: number, startKey?: Hex): Promise<Hex[]>;
  /** Runtime API call (`state_call`), e.g. 'Core_version' with SCALE-encoded params. */
  call(method: string, data: Hex, at?: Hex): Promise<Hex>;

  /** Next nonce of an account (SS58 or 0x hex), counting its transactions in the pool. */
  accountNextIndex(address: string): Promise<number>;

  /** Validates and queues; returns the transaction hash or throws a ChainError (BadFormat, CannotDecodeCall, InvalidTransaction, AlreadyImported, PriorityTooLow, ImmediatelyDropped). */
  submit(extrinsic: Hex): Promise<Hex>;
  /** Like submit, then reports every status change of the transaction until finalized or dropped. */
  submitAndWatch(extrinsic: Hex, onStatus: (s: TxStatus) => void): Promise<{ hash: Hex; unwatch(): void }>;
  pendingExtrinsics(): Hex[];
  /** `payment_queryInfo` result shape: {weight: {refTime, proofSize}, class, partialFee}. */
  queryInfo(extrinsic: Hex, at?: Hex): Promise<unknown>;

  /** Subscribe to chain events; returns the unsubscribe function. */
  on<E extends keyof ChainEvents>(event: E, listener: ChainEvents[E]): () => void;

  // dev_* methods
  newBlock(opts?: { count?: number }): Promise<Hex>;
  setStorage(changes: [Hex, Hex | null][]): Promise<Hex>;
  timeTravel(to: number | string | { blocks?: number; seconds?: number }): Promise<{ number: number; timestamp: number }>;
  /** A runtime upgrade to another spec version and pallet indices (dev_setRuntime). */
  setRuntime(change: RuntimeChange): Promise<RuntimeUpgradeResult>;
}

/** dev_setRuntime's input: the new spec version (default: one more) and the pallets that move (name → index). */
export interface RuntimeChange {
  specVersion?: number;
  pallets?: Record<string, number>;
}

export interface RuntimeUpgradeResult {
  specVersion: number;
  /** Every pallet's index in the new runtime. */
  pallets: Record<string, number>;
  /** The block that set `:code` (with System.CodeUpdated), still executed by the old runtime. */
  codeBlock: { number: number; hash: Hex };
  /** The first block the new runtime executed (it records System.LastRuntimeUpgrade). */
  firstBlock: { number: number; hash: Hex };
}
