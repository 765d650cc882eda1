/**
 * The node's answer format: signed by the node, reasons and results sealed to the deployer's reply
 * key (public when the node knows none), stored in chunks in the node's TFKVStore — a longer
 * answer replaced by a shorter one leaves no stale chunk — and removed. Every broken answer is
 * refused with its own code.
 */
import type { ApiPromise } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { stringToU8a, u8aToString } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import {
  CHUNK_SIZE,
  DeploymentError,
  answerCalls,
  answerChunks,
  answerKey,
  decodeAnswer,
  encodeAnswer,
  fetchAnswer,
  removeAnswerCalls,
  replyKeyPair,
  type AnswerInput,
  type DeploymentErrorCode,
} from '../src/deployment';
import { connect, pairOf, sendFinalized, TFT } from './deployment-support';

jest.setTimeout(60_000);

let chain: Devchain;
let api: ApiPromise;
const node = () => new Keyring({ type: 'ed25519' }).addFromSeed(new Uint8Array(32).fill(3));
const deployer = () => pairOf('//answer//deployer');

const input = (o: Partial<AnswerInput> = {}): AnswerInput => ({
  contractId: 7,
  nodeId: 2,
  twinId: 5,
  hash: 'a'.repeat(32),
  version: 1,
  workloads: [
    { name: 'data', type: 'volume', version: 1, state: 'ok', data: { size: 1024 }, data_hash: 'b'.repeat(64) },
    { name: 'web', type: 'zmachine', version: 0, state: 'error', reason: 'image: the image at x has sha256 1, not 2' },
  ],
  replyTo: replyKeyPair(deployer()).publicKey,
  ...o,
});

function codeOf(f: () => unknown): DeploymentErrorCode | 'OK' {
  try {
    f();
    return 'OK';
  } catch (e) {
    if (e instanceof DeploymentError) return e.code;
    throw e;
  }
}

beforeAll(async () => {
  await cryptoWaitReady();
  chain = await startChain();
  api = await connect(chain.url);
  await sendFinalized(api, api.tx.balances.transferKeepAlive(node().address, 100n * TFT), pairOf('//Alice'));
});

afterAll(async () => {
  await api?.disconnect();
  await chain?.stop();
});

test('the deployer opens reasons and results; anyone else sees the states only; without a reply key they are public', () => {
  const bytes = encodeAnswer(input(), node());
  const mine = decodeAnswer(bytes, node().address, replyKeyPair(deployer()).secretKey);
  expect(mine).toMatchObject({ contractId: 7, nodeId: 2, twinId: 5, hash: 'a'.repeat(32), version: 1, sealed: true, opened: true });
  expect(mine.workloads).toEqual(input().workloads);
  const theirs = decodeAnswer(bytes, node().address);
  expect(theirs).toMatchObject({ sealed: true, opened: false });
  expect(theirs.workloads).toEqual([
    { name: 'data', type: 'volume', version: 1, state: 'ok' },
    { name: 'web', type: 'zmachine', version: 0, state: 'error' },
  ]);
  // Nothing private in the clear.
  expect(u8aToString(bytes)).not.toContain('sha256 1');
  const open = decodeAnswer(encodeAnswer(input({ replyTo: undefined }), node()), node().address);
  expect(open).toMatchObject({ sealed: false, opened: true });
  expect(open.workloads[1]!.reason).toContain('sha256 1');
});

test('refusals: another signer, tampered content, another reply key, not JSON', () => {
  const bytes = encodeAnswer(input(), node());
  expect(codeOf(() => decodeAnswer(encodeAnswer(input(), pairOf('//mallory', 'ed25519')), node().address))).toBe(
    'ANSWER_SIGNATURE_INVALID',
  );
  const tampered = u8aToString(bytes).replace('"state":"error"', '"state":"ok"');
  expect(codeOf(() => decodeAnswer(stringToU8a(tampered), node().address))).toBe('ANSWER_SIGNATURE_INVALID');
  expect(codeOf(() => decodeAnswer(bytes, node().address, replyKeyPair(pairOf('//other')).secretKey))).toBe('ANSWER_SEAL_NOT_OPENED');
  expect(codeOf(() => decodeAnswer(stringToU8a('{"answer": 1'), node().address))).toBe('ANSWER_MALFORMED');
  expect(
    codeOf(() => decodeAnswer(stringToU8a('{"answer": {}, "signature": {"signer_type": "ed25519", "signature": "00"}}'), node().address)),
  ).toBe('ANSWER_SIGNATURE_INVALID');
});

test('on chain: a chunked answer, replaced by a shorter one without stale chunks, then removed', async () => {
  const n = node();
  const query = api.query.tfkvStore.tfkvStore;
  const many = input({
    workloads: Array.from({ length: 40 }, (_, i) => ({
      name: `w${i}`,
      type: 'volume',
      version: 0,
      state: 'ok' as const,
      reason: 'x'.repeat(60),
    })),
  });
  const big = encodeAnswer(many, n);
  expect(big.length).toBeGreaterThan(2 * CHUNK_SIZE);
  await sendFinalized(api, api.tx.utility.batchAll(answerCalls(api, 7, big)), n);
  const chunks = await answerChunks(query, n.address, 7);
  expect(chunks).toBe(Math.ceil(big.length / CHUNK_SIZE));
  expect((await fetchAnswer(query, n.address, 7, replyKeyPair(deployer()).secretKey))!.workloads).toHaveLength(40);

  const small = encodeAnswer(input(), n);
  await sendFinalized(api, api.tx.utility.batchAll(answerCalls(api, 7, small, chunks)), n);
  expect(await answerChunks(query, n.address, 7)).toBe(1);
  const keys = (await query.keys(n.address)).map((k) => u8aToString(k.args[1]!.toU8a(true)));
  expect(keys.sort()).toEqual([answerKey(7), `${answerKey(7)}/0`]);
  expect((await fetchAnswer(query, n.address, 7))!.workloads).toHaveLength(2);
  // Read from another account (not the node's): the signature does not match it.
  await sendFinalized(api, api.tx.utility.batchAll(answerCalls(api, 7, small)), pairOf('//Alice'));
  await expect(fetchAnswer(query, pairOf('//Alice').address, 7)).rejects.toMatchObject({ code: 'ANSWER_SIGNATURE_INVALID' });

  await sendFinalized(api, api.tx.utility.batchAll(removeAnswerCalls(api, 7, 1)), n);
  expect(await fetchAnswer(query, n.address, 7)).toBeNull();
  expect(await query.keys(n.address)).toEqual([]);
});
