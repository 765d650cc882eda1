/**
 * The node's answer: for each contract, the state of every workload, signed by the node and kept
 * in the node twin's own TFKVStore under `ans/<contract_id>` (chunked like the notary). Nothing
 * connects to the node; the deployer's tools read it from the chain.
 *
 * What is public and what is sealed: a workload's name, type, version and state are public (the
 * chain already shows that a contract runs: it is billed for what it uses). Its reason and result
 * data are sealed to the deployer's reply key (NaCl box): results hold addresses that let anyone
 * reach the workload and paths of the node, reasons can quote the deployment (image URLs, names).
 * When the node could not read the deployer's reply key (the deployment did not open), the reason
 * is public: it is the node's own words about a deployment it could not read.
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, stringToU8a, u8aToHex, u8aToString } from '@polkadot/util';
import { signCanonical, verifyCanonical, type DeploymentSignature } from './challenge';
import { chunkCount, chunkedDeleteCalls, chunkedSetCalls, fetchChunked, readManifest, sha256, type KvQuery } from './chunks';
import { DeploymentError } from './errors';
import { canonicalize } from './jcs';
import { seal, unseal } from './seal';

export const ANSWER_VERSION = 1;
export type WorkloadAnswerState = 'ok' | 'error' | 'paused' | 'deleted';
const STATES: readonly string[] = ['ok', 'error', 'paused', 'deleted'];
/** Longest reason a node publishes (characters); longer ones are cut. */
export const MAX_REASON = 1000;
/** Most workloads one answer lists. */
export const MAX_ANSWER_WORKLOADS = 200;

/** One workload as the node reports it. */
export interface WorkloadAnswer {
  name: string;
  type: string;
  version: number;
  state: WorkloadAnswerState;
  /** Why it is in error (or why an update of it was refused); sealed. */
  reason?: string;
  /** The handler's result (zmachine: addresses; volume: size; gateway: fqdn); sealed. */
  data?: Record<string, unknown>;
  /** sha256 hex of the canonical JSON of the workload's data as deployed; sealed (lets `update` see what changed). */
  data_hash?: string;
}

/** The node's answer for one contract, verified (and opened when the reply key was given). */
export interface DeploymentAnswer {
  contractId: number;
  nodeId: number;
  twinId: number;
  /** The deployment hash the states are for ('' when the node could not tell). */
  hash: string;
  /** The deployment's version the node applied (-1 when unknown). */
  version: number;
  /** When the node wrote it (ms since epoch, the node's clock). */
  updatedAt: number;
  workloads: WorkloadAnswer[];
  /** Whether the private part was sealed (false: reasons are public). */
  sealed: boolean;
  /** Whether the private part could be read (sealed and opened, or not sealed). */
  opened: boolean;
}

/** What the node knows when it answers. */
export interface AnswerInput {
  contractId: number;
  nodeId: number;
  twinId: number;
  hash: string;
  version: number;
  workloads: WorkloadAnswer[];
  /** The deployer's reply key from the deployment's envelope; without it the private part is public. */
  replyTo?: Uint8Array;
  updatedAt?: number;
}

type Private = Record<string, Pick<WorkloadAnswer, 'reason' | 'data' | 'data_hash'>>;
interface AnswerDocument {
  v: number;
  contract_id: number;
  node_id: number;
  twin_id: number;
  hash: string;
  version: number;
  updated_at: number;
  workloads: { name: string; type: string; version: number; state: string }[];
  /** Hex of the NaCl box of the private part's JSON to the reply key. */
  sealed?: string;
  /** The private part in clear (no reply key known). */
  open?: Private;
}

export const answerKey = (contractId: number): string => `ans/${contractId}`;

/** sha256 hex of the canonical JSON of a workload's data. */
export const dataHash = (data: unknown): string => sha256(stringToU8a(canonicalize(data)));

/** The node's side: the signed, sealed answer's bytes. */
export function encodeAnswer(a: AnswerInput, node: KeyringPair): Uint8Array {
  if (a.workloads.length > MAX_ANSWER_WORKLOADS) throw new RangeError(`an answer lists at most ${MAX_ANSWER_WORKLOADS} workloads`);
  const priv: Private = {};
  for (const w of a.workloads) {
    const p = {
      ...(w.reason ? { reason: w.reason.slice(0, MAX_REASON) } : {}),
      ...(w.data ? { data: w.data } : {}),
      ...(w.data_hash ? { data_hash: w.data_hash } : {}),
    };
    if (Object.keys(p).length) priv[w.name] = p;
  }
  const doc: AnswerDocument = {
    v: ANSWER_VERSION,
    contract_id: a.contractId,
    node_id: a.nodeId,
    twin_id: a.twinId,
    hash: a.hash,
    version: a.version,
    updated_at: a.updatedAt ?? Date.now(),
    workloads: a.workloads.map((w) => ({ name: w.name, type: w.type, version: w.version, state: w.state })),
    ...(a.replyTo ? { sealed: u8aToHex(seal(stringToU8a(canonicalize(priv)), a.replyTo), -1, false) } : { open: priv }),
  };
  return stringToU8a(canonicalize({ answer: doc, signature: signCanonical(doc, node) }));
}

/** Verifies the node's signature (`nodePublicKey`: its twin's account) and opens the private part with `replySecretKey`. */
export function decodeAnswer(bytes: Uint8Array, nodePublicKey: Uint8Array | string, replySecretKey?: Uint8Array): DeploymentAnswer {
  let env: { answer?: AnswerDocument; signature?: DeploymentSignature };
  try {
    env = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new DeploymentError('ANSWER_MALFORMED', 'the answer is not UTF-8 JSON');
  }
  const d = env?.answer;
  const sig = env?.signature;
  if (typeof d !== 'object' || d === null || typeof sig !== 'object' || sig === null || typeof sig.signature !== 'string')
    throw new DeploymentError('ANSWER_MALFORMED', 'expected {answer, signature}');
  if (!verifyCanonical(d, sig, nodePublicKey))
    throw new DeploymentError('ANSWER_SIGNATURE_INVALID', "the answer is not signed by the node's twin");
  const int = (x: unknown, min: number) => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;
  if (
    d.v !== ANSWER_VERSION ||
    !int(d.contract_id, 1) ||
    !int(d.node_id, 1) ||
    !int(d.twin_id, 0) ||
    typeof d.hash !== 'string' ||
    !int(d.version, -1) ||
    !int(d.updated_at, 0) ||
    !Array.isArray(d.workloads)
  ) {
    throw new DeploymentError('ANSWER_MALFORMED', 'the answer lacks its contract, node, twin, hash, version or workloads');
  }
  for (const w of d.workloads) {
    if (typeof w?.name !== 'string' || typeof w.type !== 'string' || !int(w.version, 0) || !STATES.includes(w.state))
      throw new DeploymentError('ANSWER_MALFORMED', `unreadable workload ${JSON.stringify(w).slice(0, 200)}`);
  }
  let priv: Private | undefined = d.open;
  if (d.sealed !== undefined && replySecretKey) {
    const plain = typeof d.sealed === 'string' && /^[0-9a-f]+$/.test(d.sealed) ? unseal(hexToU8a(`0x${d.sealed}`), replySecretKey) : null;
    if (!plain)
      throw new DeploymentError(
        'ANSWER_SEAL_NOT_OPENED',
        "the answer's private part does not open with this reply key (sealed to another deployer key)",
      );
    try {
      priv = JSON.parse(u8aToString(plain)) as Private;
    } catch {
      throw new DeploymentError('ANSWER_MALFORMED', "the answer's private part is not JSON");
    }
  }
  return {
    contractId: d.contract_id,
    nodeId: d.node_id,
    twinId: d.twin_id,
    hash: d.hash,
    version: d.version,
    updatedAt: d.updated_at,
    workloads: d.workloads.map((w) => ({
      name: w.name,
      type: w.type,
      version: w.version,
      state: w.state as WorkloadAnswerState,
      ...(priv?.[w.name] ?? {}),
    })),
    sealed: d.sealed !== undefined,
    opened: priv !== undefined,
  };
}

/** The calls that store `bytes` as contract `contractId`'s answer, dropping chunks a longer earlier answer left (`previousChunks`). */
export function answerCalls(api: ApiPromise, contractId: number, bytes: Uint8Array, previousChunks = 0): SubmittableExtrinsic<'promise'>[] {
  const key = answerKey(contractId);
  return [...chunkedSetCalls(api, key, bytes), ...chunkedDeleteCalls(api, key, previousChunks, chunkCount(bytes.length), false)];
}

/** The calls that remove contract `contractId`'s answer of `chunks` chunks. */
export function removeAnswerCalls(api: ApiPromise, contractId: number, chunks: number): SubmittableExtrinsic<'promise'>[] {
  return chunkedDeleteCalls(api, answerKey(contractId), chunks);
}

/** How many chunks the answer stored for `contractId` in `account` has (0 when none). */
export async function answerChunks(query: KvQuery, account: string, contractId: number): Promise<number> {
  return (await readManifest(query, account, answerKey(contractId)))?.chunks ?? 0;
}

/** Reads and verifies the answer node account `nodeAccount` keeps for `contractId`, or null when there is none. */
export async function fetchAnswer(
  query: KvQuery,
  nodeAccount: string,
  contractId: number,
  replySecretKey?: Uint8Array,
): Promise<DeploymentAnswer | null> {
  const bytes = await fetchChunked(query, nodeAccount, answerKey(contractId));
  if (!bytes) return null;
  const a = decodeAnswer(bytes, nodeAccount, replySecretKey);
  if (a.contractId !== contractId)
    throw new DeploymentError('ANSWER_MALFORMED', `the answer under ${answerKey(contractId)} is for contract ${a.contractId}`);
  return a;
}
