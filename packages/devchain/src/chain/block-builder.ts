/**
 * Builds one block from the pool's ready transactions: initialisation, the timestamp inherent,
 * the transactions in order (each tagged with its ApplyExtrinsic phase), finalisation, and a
 * header hashed exactly as Substrate hashes it.
 */
import { blake2_256 } from '../crypto/hashing';
import { bytes as bytesCodec, encode, vec, type Enum } from '../scale/codec';
import { Writer } from '../scale/io';
import { encodeExtrinsic, type DecodedExtrinsic } from '../pallets/definition/extrinsic';
import { InvalidTransaction, wire, type ChainIdentity, type Executive, type Validity } from '../runtime/executive';
import type { BlockEnv, Weight } from '../pallets/dispatch';
import {
  readAccount,
  BlockHash,
  LastRuntimeUpgrade,
  BlockWeight,
  Digest,
  Events,
  EventCount,
  ExtrinsicCount,
  AllExtrinsicsLen,
  Number_,
  ParentHash,
} from '../pallets/system';
import { DidUpdate } from '../pallets/timestamp';
import { keyOf } from '../util/hex';
import { encodeHeader } from './header';
import { Overlay, type StateReader } from '../state/overlay';

export interface Candidate {
  x: DecodedExtrinsic;
  /** Validity as checked when the transaction entered the pool (signature verified then). */
  v: Validity;
}

export interface BuildInput {
  executive: Executive;
  base: StateReader;
  parent: { number: number; hash: Uint8Array; stateRoot: Uint8Array };
  env: Omit<BlockEnv, 'number' | 'parentHash'>;
  identity: ChainIdentity;
  blockHash: (n: number) => Uint8Array | undefined;
  candidates: Candidate[];
  /** Raw storage changes applied before the block executes (dev_setStorage). */
  storageChanges?: [string, Uint8Array | null][];
  /** The runtime executing the block: the first block of a new one records it in LastRuntimeUpgrade. */
  runtimeVersion?: { specName: string; specVersion: number };
  /** The storage changes set `:code` (dev_setRuntime): System.CodeUpdated is recorded. */
  codeUpdated?: boolean;
  /** Max total normal-class ref time and length of the transactions (BlockWeights / BlockLength). */
  maxRefTime?: bigint;
  maxLength?: number;
}

export interface BuiltBlock {
  number: number;
  hash: Uint8Array;
  header: Uint8Array;
  stateRoot: Uint8Array;
  extrinsicsRoot: Uint8Array;
  extrinsics: Uint8Array[];
  changes: Map<string, Uint8Array | null>;
  included: Candidate[];
  /** Refused now for good (stale, cannot pay, expired): drop from the pool. */
  invalid: { candidate: Candidate; reason: string }[];
}

const BLOCK_HASH_COUNT = 2400;
const EMPTY_DIGEST = { logs: [] as unknown[] };
/** Normal dispatch class budget: 75 % of 2 s, and 75 % of 5 MiB. */
const NORMAL_REF_TIME = 1_500_000_000_000n;
const NORMAL_LENGTH = 3_932_160;

/**
 * A commitment to the whole state: the parent's root chained with the block's sorted changes.
 * (Not a Merkle-Patricia trie root: no client of this dev chain asks for storage proofs.)
 */
export function nextStateRoot(parentRoot: Uint8Array, changes: Map<string, Uint8Array | null>): Uint8Array {
  const w = new Writer(1024);
  w.bytes(parentRoot);
  for (const k of [...changes.keys()].sort()) {
    const v = changes.get(k);
    const key = Buffer.from(k, 'hex');
    w.compact(key.length);
    w.bytes(key);
    // 0 marks a deletion, so that a removed key and an empty value commit differently
    if (v) {
      w.u8(1);
      w.compact(v.length);
      w.bytes(v);
    } else w.u8(0);
  }
  return blake2_256(w.finish());
}

export const extrinsicsRootOf = (extrinsics: Uint8Array[]): Uint8Array => blake2_256(encode(vec(bytesCodec), extrinsics));

export function buildBlock(input: BuildInput): BuiltBlock {
  const number = input.parent.number + 1;
  const env: BlockEnv = { ...input.env, number, parentHash: input.parent.hash };
  const state = new Overlay(input.base);
  for (const [k, v] of input.storageChanges ?? []) {
    if (v === null) state.delete(k);
    else state.set(k, v);
  }

  // frame_system::initialize
  Number_.set(state, number);
  ParentHash.set(state, input.parent.hash);
  BlockHash.set(state, input.parent.hash, number - 1);
  if (number - 1 > BLOCK_HASH_COUNT) BlockHash.remove(state, number - 1 - BLOCK_HASH_COUNT);
  Digest.set(state, EMPTY_DIGEST);
  Events.remove(state);
  EventCount.remove(state);

  const records: unknown[] = [];
  // frame_executive: a runtime executing its first block runs its upgrade hook, which records it.
  const rv = input.runtimeVersion;
  const last = LastRuntimeUpgrade.get(state);
  if (rv && (!last || last.spec_version !== rv.specVersion || last.spec_name !== rv.specName)) {
    LastRuntimeUpgrade.set(state, { spec_version: rv.specVersion, spec_name: rv.specName });
  }
  // A real chain sets :code in a set_code extrinsic; the dev chain's change comes with the block, so
  // the event is recorded in its initialization.
  if (input.codeUpdated)
    records.push({ phase: { type: 'Initialization' }, event: { type: 'System', value: { type: 'CodeUpdated' } }, topics: [] });
  const extrinsics: Uint8Array[] = [];
  const weights = { normal: 0n, operational: 0n, mandatory: 0n };
  let normalLength = 0;

  const run = (apply: (layer: Overlay) => void, phase: Enum = { type: 'ApplyExtrinsic', value: extrinsics.length }): void => {
    const layer = state.child();
    apply(layer);
    for (const event of layer.events) records.push({ phase, event, topics: [] });
    layer.events.length = 0;
    layer.commitInto(state);
  };

  run((layer) => input.executive.runHooks(layer, env, 'onInitialize'), { type: 'Initialization' });

  // The timestamp inherent is always extrinsic 0.
  const tsCall: Enum = { type: 'Timestamp', value: { type: 'set', value: { now: input.env.timestamp } } };
  run((layer) => input.executive.applyInherent(layer, env, tsCall));
  weights.mandatory += input.executive.info(tsCall).weight.refTime;
  extrinsics.push(encodeExtrinsic({ call: tsCall }));

  const included: Candidate[] = [];
  const invalid: BuiltBlock['invalid'] = [];
  const maxRefTime = input.maxRefTime ?? NORMAL_REF_TIME;
  const maxLength = input.maxLength ?? NORMAL_LENGTH;
  const skipped = new Set<string>();
  for (const c of input.candidates) {
    const sender = keyOf(c.v.signer);
    if (skipped.has(sender)) continue; // a gap in this sender's nonces: the rest must wait
    const w = c.v.info.weight.refTime + 124_414_000n;
    if (weights.normal + w > maxRefTime || normalLength + c.x.bytes.length > maxLength) break;
    let v: Validity;
    try {
      v = input.executive.validate(state, c.x, number, input.identity, input.blockHash);
      if (v.nonce !== readAccount(state, c.v.signer).nonce) throw new InvalidTransaction('Future');
      if (number > c.v.validTill) throw new InvalidTransaction('AncientBirthBlock');
    } catch (e) {
      if (!(e instanceof InvalidTransaction)) throw e;
      skipped.add(sender);
      if (e.code !== 'Future') invalid.push({ candidate: c, reason: e.code });
      continue;
    }
    let refused: string | undefined;
    run((layer) => {
      try {
        input.executive.applySigned(layer, env, c.x, v);
      } catch (e) {
        if (!(e instanceof InvalidTransaction)) throw e;
        refused = e.code;
        layer.events.length = 0;
        layer.changes.clear();
      }
    });
    if (refused) {
      skipped.add(sender);
      invalid.push({ candidate: c, reason: refused });
      continue;
    }
    weights.normal += w;
    normalLength += c.x.bytes.length;
    extrinsics.push(c.x.bytes);
    included.push(c);
  }

  run((layer) => input.executive.runHooks(layer, env, 'onFinalize'), { type: 'Finalization' });

  // frame_system::finalize (and Timestamp's on_finalize)
  DidUpdate.remove(state);
  ExtrinsicCount.remove(state);
  AllExtrinsicsLen.remove(state);
  BlockWeight.set(state, {
    normal: wire(weightOf(weights.normal)),
    operational: wire(weightOf(weights.operational)),
    mandatory: wire(weightOf(weights.mandatory)),
  });
  Events.set(state, records);
  EventCount.set(state, records.length);

  const changes = state.changes;
  const stateRoot = nextStateRoot(input.parent.stateRoot, changes);
  const extrinsicsRoot = extrinsicsRootOf(extrinsics);
  const header = encodeHeader({ parentHash: input.parent.hash, number, stateRoot, extrinsicsRoot, digest: EMPTY_DIGEST });
  return { number, hash: blake2_256(header), header, stateRoot, extrinsicsRoot, extrinsics, changes, included, invalid };
}

const weightOf = (refTime: bigint): Weight => ({ refTime, proofSize: 0n });
