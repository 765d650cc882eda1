/**
 * The dev chain through an unmodified @polkadot/api over a real WebSocket, with real signatures.
 */
import { Keyring, WsProvider, type ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ISubmittableResult } from '@polkadot/types/types';
import { blake2AsHex } from '@polkadot/util-crypto';
import type { Devchain } from '../src';
import { useChain } from './support/contracts';

jest.setTimeout(120_000);

let node: Devchain;
let api: ApiPromise;
let alice: KeyringPair;
let bob: KeyringPair;
let charlie: KeyringPair;

/** Sends and resolves with the result once finalized (rejects on an RPC refusal). */
function finalized(
  tx: SubmittableExtrinsic<'promise'>,
  signer: KeyringPair,
  opts: Record<string, unknown> = {},
): Promise<ISubmittableResult & { statuses: string[] }> {
  const statuses: string[] = [];
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, opts, (r) => {
      statuses.push(r.status.type);
      if (r.status.isFinalized) resolve(Object.assign(r, { statuses }));
      if (r.status.isInvalid || r.status.isDropped) reject(new Error(`transaction ${r.status.type}`));
    }).catch(reject);
  });
}

const freeOf = async (who: string, at?: string): Promise<bigint> => {
  const q = at ? await api.at(at) : api;
  const acc = (await q.query.system.account(who)) as unknown as { data: { free: { toBigInt(): bigint } } };
  return acc.data.free.toBigInt();
};

useChain(async (chain) => {
  ({ node, api } = chain);
  const keyring = new Keyring({ type: 'sr25519' });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
  charlie = keyring.addFromUri('//Charlie');
});

test('connects, reads the runtime, metadata and chain properties', async () => {
  expect(api.runtimeVersion.specName.toString()).toBe('substrate-threefold');
  expect(api.runtimeVersion.specVersion.toNumber()).toBe(152);
  expect(api.runtimeVersion.transactionVersion.toNumber()).toBe(2);
  expect(api.genesisHash.toHex()).toBe(node.chain.genesisHash);
  const props = await api.rpc.system.properties();
  expect(props.ss58Format.unwrap().toNumber()).toBe(42);
  expect(props.tokenSymbol.unwrap()[0]!.toString()).toBe('TFT');
  expect(props.tokenDecimals.unwrap()[0]!.toNumber()).toBe(7);
  const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => [p.name.toString(), p.index.toNumber()]);
  expect(pallets).toEqual(
    expect.arrayContaining([
      ['System', 0],
      ['Balances', 20],
      ['Council', 40],
    ]),
  );
  expect(api.consts.balances.existentialDeposit.toString()).toBe('500');
  expect((await api.rpc.system.chain()).toString()).toBe('Development');
});

test('a transfer goes Ready → InBlock → Finalized with the events Substrate emits', async () => {
  const before = await freeOf(bob.address);
  const r = await finalized(api.tx.balances.transferKeepAlive(bob.address, 12_345_678n), alice);
  expect(r.statuses).toEqual(expect.arrayContaining(['Ready', 'InBlock', 'Finalized']));
  expect(r.statuses.indexOf('InBlock')).toBeLessThan(r.statuses.indexOf('Finalized'));
  const names = r.events.map((e) => `${e.event.section}.${e.event.method}`);
  expect(names).toEqual([
    'balances.Withdraw',
    'balances.Transfer',
    'balances.Deposit',
    'transactionPayment.TransactionFeePaid',
    'system.ExtrinsicSuccess',
  ]);
  const transfer = r.events.find((e) => e.event.method === 'Transfer')!.event.data.toJSON() as unknown[];
  expect(transfer[2]).toBe(12_345_678);
  const feePaid = r.events.find((e) => e.event.method === 'TransactionFeePaid')!.event.data.toJSON() as number[];
  expect(feePaid[1]).toBeGreaterThan(0);
  expect(await freeOf(bob.address)).toBe(before + 12_345_678n);
});

test('the fee charged matches payment_queryInfo', async () => {
  const tx = api.tx.balances.transferKeepAlive(charlie.address, 1_000_000n);
  await tx.signAsync(alice, { nonce: -1 });
  const info = await api.rpc.payment.queryInfo(tx.toHex());
  expect(info.partialFee.toBigInt()).toBeGreaterThan(0n);
  const r = await new Promise<ISubmittableResult>((resolve, reject) => {
    tx.send((res) => {
      if (res.status.isFinalized) resolve(res);
    }).catch(reject);
  });
  const paid = r.events.find((e) => e.event.method === 'TransactionFeePaid')!.event.data[1]!.toString();
  expect(paid).toBe(info.partialFee.toString());
});

test('header hashes recompute on the client, and api.at reads history', async () => {
  const hash = await api.rpc.chain.getBlockHash();
  const header = await api.rpc.chain.getHeader(hash);
  expect(header.hash.toHex()).toBe(hash.toHex());
  expect(blake2AsHex(header.toU8a())).toBe(hash.toHex());
  const balanceThen = await freeOf(bob.address, hash.toHex());
  await finalized(api.tx.balances.transferKeepAlive(bob.address, 5_000_000n), alice);
  expect(await freeOf(bob.address)).toBe(balanceThen + 5_000_000n);
  expect(await freeOf(bob.address, hash.toHex())).toBe(balanceThen);
  const block = await api.rpc.chain.getBlock(hash);
  expect(block.block.extrinsics[0]!.method.section).toBe('timestamp');
});

test('subscriptions deliver new and finalized heads', async () => {
  const heads: number[] = [];
  const finals: number[] = [];
  const unsubNew = await api.rpc.chain.subscribeNewHeads((h) => {
    heads.push(h.number.toNumber());
  });
  const unsubFin = await api.rpc.chain.subscribeFinalizedHeads((h) => {
    finals.push(h.number.toNumber());
  });
  await finalized(api.tx.system.remark('0x01'), alice);
  await finalized(api.tx.system.remark('0x02'), alice);
  unsubNew();
  unsubFin();
  expect(heads.length).toBeGreaterThanOrEqual(2);
  expect(finals.length).toBeGreaterThanOrEqual(2);
  expect([...heads].sort((a, b) => a - b)).toEqual(heads);
});

test('batch and batchAll run their calls; a failing batchAll leaves nothing behind', async () => {
  const pay = (amount: bigint) => api.tx.balances.transferKeepAlive(charlie.address, amount);
  const rootOnly = () => api.tx.balances.forceSetBalance(charlie.address, 1n); // fails: BadOrigin
  const before = await freeOf(charlie.address);
  const ok = await finalized(api.tx.utility.batchAll([pay(1_000n), pay(2_000n)]), alice);
  expect(ok.events.filter((e) => e.event.method === 'ItemCompleted')).toHaveLength(2);
  expect(ok.events.some((e) => e.event.method === 'BatchCompleted')).toBe(true);
  expect(await freeOf(charlie.address)).toBe(before + 3_000n);

  const fail = await finalized(api.tx.utility.batchAll([pay(7_000n), rootOnly()]), alice);
  const failed = fail.events.find((e) => e.event.method === 'ExtrinsicFailed');
  expect(failed).toBeDefined();
  expect(fail.dispatchError?.isBadOrigin).toBe(true);
  expect(await freeOf(charlie.address)).toBe(before + 3_000n);

  const partial = await finalized(api.tx.utility.batch([pay(4_000n), rootOnly()]), alice);
  const interrupted = partial.events.find((e) => e.event.method === 'BatchInterrupted');
  expect(interrupted?.event.data[0]!.toString()).toBe('1');
  expect(await freeOf(charlie.address)).toBe(before + 7_000n);
});

test('a failed dispatch pays its fee, bumps the nonce and reports a named module error', async () => {
  const nonceBefore = (await api.rpc.system.accountNextIndex(charlie.address)).toNumber();
  const freeBefore = await freeOf(charlie.address);
  const r = await finalized(api.tx.council.vote('0x' + '11'.repeat(32), 0, true), charlie);
  expect(r.dispatchError?.isModule).toBe(true);
  const meta = api.registry.findMetaError(r.dispatchError!.asModule);
  expect(`${meta.section}.${meta.name}`).toBe('council.NotMember');
  expect((await api.rpc.system.accountNextIndex(charlie.address)).toNumber()).toBe(nonceBefore + 1);
  expect(await freeOf(charlie.address)).toBeLessThan(freeBefore);
});

describe('invalid transactions are refused with Substrate errors', () => {
  const refusal = (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => 'accepted',
      (e: Error) => e.message,
    );

  test('bad signature', async () => {
    const tx = api.tx.balances.transferKeepAlive(bob.address, 1_000n);
    await tx.signAsync(alice, { nonce: -1 });
    const hex = tx.toHex();
    // flip one byte of the signature: it follows the signer's 32-byte key and the signature type byte
    const bytes = Buffer.from(hex.slice(2), 'hex');
    const at = bytes.indexOf(Buffer.from(alice.publicKey)) + 32 + 1 + 10;
    bytes[at] = bytes[at]! ^ 0xff;
    expect(await refusal(api.rpc.author.submitExtrinsic('0x' + bytes.toString('hex')))).toMatch(
      /1010: Invalid Transaction: Transaction has a bad signature/,
    );
  });

  test('stale nonce', async () => {
    await finalized(api.tx.system.remark('0x03'), bob);
    const tx = api.tx.system.remark('0x04');
    await tx.signAsync(bob, { nonce: 0 });
    expect(await refusal(api.rpc.author.submitExtrinsic(tx.toHex()))).toMatch(/1010: Invalid Transaction: Transaction is outdated/);
  });

  test('wrong genesis hash', async () => {
    const tx = api.tx.system.remark('0x05');
    await tx.signAsync(bob, { nonce: -1, era: 0, blockHash: '0x' + '42'.repeat(32), genesisHash: '0x' + '42'.repeat(32) } as never);
    expect(await refusal(api.rpc.author.submitExtrinsic(tx.toHex()))).toMatch(/1010: Invalid Transaction: Transaction has a bad signature/);
  });

  test('too low balance to pay the fee', async () => {
    const pauper = new Keyring({ type: 'sr25519' }).addFromUri('//Pauper');
    const tx = api.tx.balances.transferKeepAlive(bob.address, 1n);
    await tx.signAsync(pauper, { nonce: 0 });
    expect(await refusal(api.rpc.author.submitExtrinsic(tx.toHex()))).toMatch(/1010: Invalid Transaction: Inability to pay some fees/);
  });

  test('garbage bytes', async () => {
    const provider = new WsProvider(node.url);
    await provider.isReady;
    try {
      expect(await refusal(provider.send('author_submitExtrinsic', ['0xdeadbeef']))).toMatch(/1001: Extrinsic has invalid format/);
      expect(await refusal(provider.send('author_submitExtrinsic', ['0x10ffffffff']))).toMatch(/1002: Verification Error/);
      expect(await refusal(provider.send('author_submitExtrinsic', ['not hex']))).toMatch(/-32602|Invalid params/);
      // the node still serves
      expect(((await provider.send('chain_getHeader', [])) as { number: string }).number).toMatch(/^0x/);
    } finally {
      await provider.disconnect();
    }
  });
});

test('a future nonce waits in the pool until the gap is filled', async () => {
  const dave = new Keyring({ type: 'sr25519' }).addFromUri('//Dave');
  const nonce = (await api.rpc.system.accountNextIndex(dave.address)).toNumber();
  const later = finalized(api.tx.system.remark('0x0b'), dave, { nonce: nonce + 1 });
  await new Promise((r) => setTimeout(r, 300));
  expect((await api.rpc.author.pendingExtrinsics()).length).toBeGreaterThanOrEqual(1);
  await finalized(api.tx.system.remark('0x0a'), dave, { nonce });
  await later;
  expect((await api.rpc.system.accountNextIndex(dave.address)).toNumber()).toBe(nonce + 2);
});

test('a council motion dispatches a restricted call', async () => {
  const call = api.tx.councilMembership.addMember(charlie.address);
  const direct = await finalized(api.tx.councilMembership.addMember(charlie.address), alice);
  expect(direct.dispatchError?.isBadOrigin).toBe(true);

  const proposed = await finalized(api.tx.council.propose(2, call, call.method.encodedLength), alice);
  const ev = proposed.events.find((e) => e.event.method === 'Proposed')!.event.data;
  const index = ev[1]!.toString();
  const hash = ev[2]!.toHex();
  await finalized(api.tx.council.vote(hash, index, true), alice);
  await finalized(api.tx.council.vote(hash, index, true), bob);
  const closed = await finalized(
    api.tx.council.close(hash, index, { refTime: 1_000_000_000, proofSize: 100_000 }, call.method.encodedLength),
    bob,
  );
  const names = closed.events.map((e) => `${e.event.section}.${e.event.method}`);
  expect(names).toEqual(
    expect.arrayContaining(['council.Closed', 'council.Approved', 'councilMembership.MemberAdded', 'council.Executed']),
  );
  const executed = closed.events.find((e) => e.event.method === 'Executed')!.event.data[1]!.toJSON() as Record<string, unknown>;
  expect(executed).toHaveProperty('ok');
  const members = (await api.query.council.members()).toJSON() as string[];
  expect(members).toContain(charlie.address);
});

test('dev_timeTravel advances clock and block number; dev_newBlock and dev_setStorage work', async () => {
  const provider = new WsProvider(node.url);
  await provider.isReady;
  try {
    const before = (await api.rpc.chain.getHeader()).number.toNumber();
    const nowBefore = Number((await api.query.timestamp.now()).toString());
    const r = (await provider.send('dev_timeTravel', [{ seconds: 600 }])) as { number: number; timestamp: number };
    expect(r.number).toBe(before + 100);
    expect(Number((await api.query.timestamp.now()).toString())).toBeGreaterThanOrEqual(nowBefore + 600_000);
    const hash = (await provider.send('dev_newBlock', [{ count: 3 }])) as string;
    expect((await api.rpc.chain.getHeader(hash)).number.toNumber()).toBe(before + 103);
    const key = api.query.system.account.key(charlie.address);
    const value = api.createType('AccountInfo', { nonce: 7, providers: 1, data: { free: 999_999_999n } }).toHex();
    await provider.send('dev_setStorage', [[[key, value]]]);
    expect(((await api.query.system.account(charlie.address)).toJSON() as { nonce: number }).nonce).toBe(7);
  } finally {
    await provider.disconnect();
  }
});

test('tx.paymentInfo (the TransactionPaymentApi runtime call) agrees with payment_queryInfo', async () => {
  const tx = api.tx.balances.transferKeepAlive(bob.address, 1_000n);
  const viaRuntime = await tx.paymentInfo(alice);
  await tx.signAsync(alice, { nonce: -1 });
  const viaRpc = await api.rpc.payment.queryInfo(tx.toHex());
  expect(viaRuntime.partialFee.toBigInt()).toBeGreaterThan(0n);
  expect(viaRuntime.partialFee.toString()).toBe(viaRpc.partialFee.toString());
  expect(viaRuntime.class.toString()).toBe('Normal');
});
