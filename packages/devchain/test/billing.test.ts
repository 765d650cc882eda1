/**
 * Billing and grace periods through @polkadot/api, every bill checked against the pricing
 * formula (test/support/pricing.ts) computed from the chain state before the bill:
 * - a node contract of a deployer with little balance: bills, grace, funded back, grace again,
 *   deleted out of funds after the grace period (50 blocks in this chain spec), with balances
 *   and the distribution of the rewards adding up;
 * - a rent contract on a certified dedicated node (50 % of the node, +25 %, extra fee), its node
 *   contract paying only its IP and following the rent contract into and out of grace, and a
 *   name contract.
 * The real 14-day grace period is in billing-14-days.test.ts.
 */
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { encodeAddress } from '@polkadot/util-crypto';
import { councilApprove, councilResultError, pairOf, sendErr, sendOk, setupTwin } from './support/grid';
import {
  accountOf,
  blockEvents,
  contractOf,
  hashOf,
  json,
  lastContractId,
  nextBill,
  setupGrid,
  timestampAt,
  useChain,
  type Ev,
  type Grid,
  type TestChain,
} from './support/contracts';
import { discount, ED, extraFeeUnits, GIB, nameUnits, rentUnits, resourceUnits, toTft, type Res } from './support/pricing';

jest.setTimeout(300_000);

const alice = pairOf('//Alice');
const eve = pairOf('//Eve'); // the dev foundation account
const STAKING_POOL = encodeAddress(
  Uint8Array.from([
    13, 209, 209, 166, 229, 163, 90, 168, 199, 245, 229, 126, 30, 221, 12, 63, 189, 106, 191, 46, 170, 142, 244, 37, 72, 152, 110, 84, 162,
    86, 32, 0,
  ]),
  42,
);
/** Bills every 10 blocks, a grace period of 50 blocks. */
const FAST_BILLING = { smartContractModule: { billingFrequency: 10, gracePeriodBlocks: 50 } };
const USED: Res = { hru: 0n, sru: 50n * GIB, cru: 2n, mru: 4n * GIB };

const big = (v: unknown): bigint => BigInt(v as string | number);
const mine = (evs: Ev[], name: string, id: number): Ev[] =>
  evs.filter(
    (e) =>
      e.name === `smartContractModule.${name}` &&
      (typeof e.data[0] === 'object' && e.data[0] !== null ? e.data[0].contractId : e.data[0]) === id,
  );

/** A bill: reserved in full, or partially with an overdraft. */
interface Expected {
  billed?: bigint;
  partial?: bigint;
  overdraft?: bigint;
}

/** What the chain must bill contract `id` at block `n`, from the state of block n − 1. */
async function expectedBill(
  api: ApiPromise,
  n: number,
  id: number,
  who: string,
  at: { now: bigint; certified: boolean; node?: Res; extraFee?: bigint },
): Promise<Expected> {
  const q = await api.at(await api.rpc.chain.getBlockHash(n - 1));
  const contract = json(await q.query.smartContractModule.contracts(id));
  const ps = json(await q.query.smartContractModule.contractPaymentState(id));
  const acc = json(await q.query.system.account(who)).data;
  const free = big(acc.free);
  const usable = free - ED > 0n ? free - ED : 0n;
  const secs = at.now - big(ps.lastUpdatedSeconds);
  let units: bigint;
  let additional = 0n;
  const ct = contract.contractType;
  if (ct.nodeContract) {
    const used = json(await q.query.smartContractModule.nodeContractResources(id)).used;
    const rented = json(await q.query.smartContractModule.activeRentContractForNode(ct.nodeContract.nodeId)) !== null;
    const unbilled = big(json(await q.query.smartContractModule.contractBillingInformationByID(id)).amountUnbilled);
    const res = { hru: big(used.hru), sru: big(used.sru), cru: big(used.cru), mru: big(used.mru) };
    units = resourceUnits(res, BigInt(ct.nodeContract.publicIps), secs, !rented) + unbilled;
  } else if (ct.rentContract) {
    units = rentUnits(at.node!, secs);
    additional = at.extraFee ? toTft(extraFeeUnits(at.extraFee, secs)) : 0n;
  } else {
    units = nameUnits(secs);
  }
  const standard = units === 0n ? 0n : discount(toTft(units), secs, usable, at.certified).amount;
  const due = standard + additional;
  const toReserve = due + big(ps.standardOverdraft) + big(ps.additionalOverdraft);
  if (free - toReserve >= ED) return { billed: toReserve };
  return { partial: usable, overdraft: due > usable ? due - usable : 0n };
}

/** Checks the bill of contract `id` in block `n` against the model; answers the amount taken from the twin. */
async function checkBill(
  api: ApiPromise,
  n: number,
  events: Ev[],
  id: number,
  who: string,
  opts: { certified: boolean; node?: Res; extraFee?: bigint },
): Promise<bigint> {
  const now = await timestampAt(api, n);
  const want = await expectedBill(api, n, id, who, { now, ...opts });
  const billed = mine(events, 'ContractBilled', id);
  const overdrawn = events.filter((e) => e.name === 'smartContractModule.ContractPaymentOverdrawn' && e.data[0] === id);
  if (want.billed !== undefined) {
    expect(overdrawn).toHaveLength(0);
    expect(billed.map((e) => e.data[0])).toEqual([
      { contractId: id, timestamp: Number(now), discountLevel: 'None', amountBilled: Number(want.billed) },
    ]);
    return want.billed;
  }
  expect(billed).toHaveLength(0);
  expect(overdrawn.map((e) => e.data)).toEqual([[id, Number(now), Number(want.partial), Number(want.overdraft)]]);
  return want.partial!;
}

describe('a node contract of a deployer with little balance (grace period 50 blocks)', () => {
  let c: TestChain;
  let api: ApiPromise;
  let g: Grid;
  let deployer: KeyringPair;
  let twin: number;

  useChain(async (chain) => {
    ({ api } = c = chain);
    g = await setupGrid(api, 'bil', 1);
    deployer = pairOf('//bil//deployer');
    twin = await setupTwin(api, deployer);
  }, FAST_BILLING);

  test('bills, grace, funded back, grace again, deleted out of funds; balances add up', async () => {
    const created = await sendOk(api, api.tx.smartContractModule.createNodeContract(g.nodeId, hashOf('billing'), '', 1, null), deployer);
    const id = await lastContractId(api);
    const createdAt = (await api.rpc.chain.getHeader(created.blockHash)).number.toNumber();
    await sendOk(api, api.tx.smartContractModule.reportContractResources([{ contractId: id, used: USED }]), g.nodePair);
    // Leave the deployer the existential deposit plus 0.1 TFT.
    await sendOk(api, api.tx.balances.transferAll(alice.address, true), deployer);
    expect((await accountOf(api, deployer.address)).free).toBe(ED);
    await sendOk(api, api.tx.balances.transferKeepAlive(deployer.address, 1_000_000), alice);

    const start = {
      farmer: (await accountOf(api, g.farmer.address)).free,
      eve: (await accountOf(api, eve.address)).free,
      pool: (await accountOf(api, STAKING_POOL)).free,
    };
    const opts = { certified: false };
    const bill = async (): Promise<{ n: number; events: Ev[]; taken: bigint }> => {
      const { n, events } = await nextBill(c, id);
      const before = await accountOf(api, deployer.address, (await api.rpc.chain.getBlockHash(n - 1)).toHex());
      const taken = await checkBill(api, n, events, id, deployer.address, opts);
      // What is billed moves from free to reserved (less what is paid out in the same block).
      const after = await accountOf(api, deployer.address, (await api.rpc.chain.getBlockHash(n)).toHex());
      const paidOut = mine(events, 'RewardDistributed', id).reduce((s, e) => s + big(e.data[1]) + big(e.data[2]), 0n);
      expect(before.free - after.free).toBe(taken);
      expect(after.reserved - before.reserved).toBe(taken - paidOut);
      return { n, events, taken };
    };

    // 1. Bills accrue until the balance no longer covers one: grace starts.
    let graceStart: number | undefined;
    for (let i = 0; i < 10 && graceStart === undefined; i++) {
      const b = await bill();
      const started = mine(b.events, 'ContractGracePeriodStarted', id);
      if (started.length) {
        expect(started[0]!.data).toEqual([id, g.nodeId, twin, b.n]);
        expect(mine(b.events, 'ContractPaymentOverdrawn', id)).toHaveLength(1);
        graceStart = b.n;
      } else {
        expect(mine(b.events, 'ContractBilled', id)).toHaveLength(1);
      }
    }
    expect(graceStart).toBeDefined();
    expect((await contractOf(api, id)).state).toEqual({ gracePeriod: graceStart });
    expect(big(json(await api.query.smartContractModule.contractPaymentState(id)).standardOverdraft)).toBeGreaterThan(0n);

    // 2. Funded back (the next two blocks are not billing blocks of the contract): still in grace
    // until its next bill, so no update yet; that bill takes what is due plus the overdraft.
    await sendOk(api, api.tx.balances.transferKeepAlive(deployer.address, 4_000_000), alice);
    expect(await sendErr(api, api.tx.smartContractModule.updateNodeContract(id, hashOf('billing-2'), ''), deployer)).toBe(
      'SmartContractModule.CannotUpdateContractInGraceState',
    );
    const back = await bill();
    expect(mine(back.events, 'ContractGracePeriodEnded', id).map((e) => e.data)).toEqual([[id, g.nodeId, twin]]);
    expect((await contractOf(api, id)).state).toEqual({ created: null });
    expect(json(await api.query.smartContractModule.contractPaymentState(id))).toMatchObject({
      standardOverdraft: 0,
      additionalOverdraft: 0,
    });

    // 3. Until the money runs out again.
    let graceAgain: number | undefined;
    for (let i = 0; i < 30 && graceAgain === undefined; i++) {
      const b = await bill();
      if (mine(b.events, 'ContractGracePeriodStarted', id).length) graceAgain = b.n;
    }
    expect(graceAgain).toBeDefined();

    // 4. Nothing more comes in: after 50 blocks of grace the contract is deleted out of funds.
    let deletedAt: number | undefined;
    for (let i = 0; i < 10 && deletedAt === undefined; i++) {
      const b = await bill();
      if (mine(b.events, 'ContractGracePeriodElapsed', id).length) {
        deletedAt = b.n;
        expect(mine(b.events, 'ContractGracePeriodElapsed', id)[0]!.data).toEqual([id, 50]);
        expect(b.events.find((e) => e.name === 'smartContractModule.IPsFreed')!.data[0]).toBe(id);
        expect(b.events.find((e) => e.name === 'smartContractModule.NodeContractCanceled')!.data).toEqual([id, g.nodeId, twin]);
        // What was still reserved is paid out on deletion.
        const prior = json(
          await (await api.at(await api.rpc.chain.getBlockHash(b.n - 1))).query.smartContractModule.contractPaymentState(id),
        );
        const held = big(prior.standardReserve) + b.taken;
        expect(mine(b.events, 'RewardDistributed', id).map((e) => big(e.data[1]))).toEqual(held > 0n ? [held] : []);
      } else {
        expect(mine(b.events, 'ContractBilled', id)).toHaveLength(0);
      }
    }
    expect(deletedAt).toBe(graceAgain! + 50);
    expect(await contractOf(api, id)).toBeNull();
    expect(json(await api.query.smartContractModule.activeNodeContracts(g.nodeId))).toEqual([]);
    expect(json(await api.query.tfgridModule.farms(g.farmId)).publicIps[0].contractId).toBe(0);

    // Balances: every unit billed since creation was reserved, then paid out: 50 % farmer, 40 % foundation, 10 % staking pool.
    const everything: Ev[] = [];
    for (let n = createdAt; n <= deletedAt!; n++)
      everything.push(...(await blockEvents(api, (await api.rpc.chain.getBlockHash(n)).toHex())));
    const totalBilled =
      mine(everything, 'ContractBilled', id).reduce((s, e) => s + big(e.data[0].amountBilled), 0n) +
      mine(everything, 'ContractPaymentOverdrawn', id).reduce((s, e) => s + big(e.data[2]), 0n);
    const rewards = mine(everything, 'RewardDistributed', id);
    // More than 24 cycles: a distribution on the way (cycle 24), and at deletion what was left.
    expect(rewards.length).toBeGreaterThanOrEqual(1);
    expect(mine(everything, 'ContractBilled', id).length + mine(everything, 'ContractPaymentOverdrawn', id).length).toBeGreaterThan(24);
    expect(rewards.every((e) => big(e.data[2]) === 0n)).toBe(true);
    expect(rewards.reduce((s, e) => s + big(e.data[1]), 0n)).toBe(totalBilled);
    const pct = (p: bigint, x: bigint): bigint => ((x * p) % 100n > 50n ? (x * p) / 100n + 1n : (x * p) / 100n);
    const share = (f: (x: bigint) => bigint): bigint => rewards.reduce((s, e) => s + f(big(e.data[1])), 0n);
    const end = {
      farmer: (await accountOf(api, g.farmer.address)).free,
      eve: (await accountOf(api, eve.address)).free,
      pool: (await accountOf(api, STAKING_POOL)).free,
    };
    expect(end.farmer - start.farmer).toBe(share((x) => x - pct(40n, x) - pct(10n, x)));
    expect(end.eve - start.eve).toBe(share((x) => pct(40n, x)));
    expect(end.pool - start.pool).toBe(share((x) => pct(10n, x)));
    // Nothing stays reserved; the deployer paid exactly what was billed (it signed nothing since the top-ups).
    expect(await accountOf(api, deployer.address)).toMatchObject({ reserved: 0n });
  });
});

describe('a rent contract on a certified dedicated node, its node contract and a name contract', () => {
  let c: TestChain;
  let api: ApiPromise;
  let g: Grid;
  let renter: KeyringPair;
  let twin: number;
  const NODE: Res = { hru: 0n, sru: 500n * GIB, cru: 4n, mru: 8n * GIB }; // the default node of the grid helpers
  const FEE = 10_000n; // extra fee: 10,000 mUSD (10 USD) a month

  useChain(async (chain) => {
    ({ api } = c = chain);
    g = await setupGrid(api, 'ren', 1);
    expect(
      councilResultError(api, await councilApprove(api, api.tx.tfgridModule.setNodeCertification(g.nodeId, 'Certified'))),
    ).toBeUndefined();
    await sendOk(api, api.tx.smartContractModule.setDedicatedNodeExtraFee(g.nodeId, FEE), g.farmer);
    renter = pairOf('//ren//renter');
    twin = await setupTwin(api, renter);
  }, FAST_BILLING);

  test('50 % of the node +25 % + extra fee; IPs only for the node contract, which follows the rent into and out of grace', async () => {
    const tx = api.tx.smartContractModule;
    await sendOk(api, tx.createRentContract(g.nodeId, null), renter);
    const r = await lastContractId(api);
    await sendOk(api, tx.createNodeContract(g.nodeId, hashOf('on-rented'), '', 1, null), renter);
    const n = await lastContractId(api);
    await sendOk(api, tx.createNameContract('ren-name'), renter);
    const m = await lastContractId(api);
    expect([n, m]).toEqual([r + 1, r + 2]);
    await sendOk(api, tx.reportContractResources([{ contractId: n, used: USED }]), g.nodePair);
    // One TFT: too little for any discount.
    await sendOk(api, api.tx.balances.transferAll(alice.address, true), renter);
    await sendOk(api, api.tx.balances.transferKeepAlive(renter.address, 10_000_000), alice);

    const rentOpts = { certified: true, node: NODE, extraFee: FEE };
    const billOf = async (id: number, opts: { certified: boolean; node?: Res; extraFee?: bigint }) => {
      const b = await nextBill(c, id);
      const taken = await checkBill(api, b.n, b.events, id, renter.address, opts);
      return { ...b, taken };
    };

    // A full cycle, every contract paying: the rent's extra fee is kept apart (additional reserve).
    const psBefore = json(await api.query.smartContractModule.contractPaymentState(r));
    const rb = await billOf(r, rentOpts);
    const psAfter = json(await api.query.smartContractModule.contractPaymentState(r));
    const secs = big(psAfter.lastUpdatedSeconds) - big(psBefore.lastUpdatedSeconds);
    expect(big(psAfter.additionalReserve) - big(psBefore.additionalReserve)).toBe(toTft(extraFeeUnits(FEE, secs)));
    expect(big(psAfter.standardReserve) - big(psBefore.standardReserve)).toBe(rb.taken - toTft(extraFeeUnits(FEE, secs)));
    await billOf(n, { certified: true });
    await billOf(m, { certified: false });

    // The money runs out: the rent contract enters grace and carries its node contract along.
    await sendOk(api, api.tx.balances.transferAll(alice.address, true), renter);
    const rg = await billOf(r, rentOpts);
    expect(rg.events.filter((e) => e.name === 'smartContractModule.ContractGracePeriodStarted').map((e) => e.data)).toEqual([
      [r, g.nodeId, twin, rg.n],
      [n, g.nodeId, twin, rg.n],
    ]);
    expect((await contractOf(api, n)).state).toEqual({ gracePeriod: rg.n });
    const ng = await billOf(n, { certified: true });
    expect(ng.events.filter((e) => e.name === 'smartContractModule.ContractGracePeriodStarted')).toHaveLength(0);

    // Top up (lands in the name contract's billing block, after its bill): the node contract
    // stays in grace until the rent contract's next bill; nothing new deploys meanwhile.
    await sendOk(api, api.tx.balances.transferKeepAlive(renter.address, 10_000_000), alice);
    expect(await sendErr(api, tx.updateNodeContract(n, hashOf('x'), ''), renter)).toBe(
      'SmartContractModule.CannotUpdateContractInGraceState',
    );
    expect(await sendErr(api, tx.createNodeContract(g.nodeId, hashOf('another'), '', 0, null), renter)).toBe(
      'SmartContractModule.NodeNotAvailableToDeploy',
    );

    // Back: the rent contract first; the node contract, which owes its IPs, at its own bill.
    const re = await billOf(r, rentOpts);
    expect(mine(re.events, 'ContractGracePeriodEnded', r)).toHaveLength(1);
    expect(re.events.some((e) => e.name === 'smartContractModule.ContractGracePeriodEnded' && e.data[0] === n)).toBe(false);
    const ne = await billOf(n, { certified: true });
    expect(ne.events.filter((e) => e.name === 'smartContractModule.ContractGracePeriodEnded').map((e) => e.data)).toEqual([
      [n, g.nodeId, twin],
    ]);
    await billOf(m, { certified: false });
    expect((await contractOf(api, r)).state).toEqual({ created: null });
    expect((await contractOf(api, n)).state).toEqual({ created: null });
    expect((await contractOf(api, m)).state).toEqual({ created: null });

    // The node sleeps: its rent is waived (the node contract still pays its IP).
    await sendOk(api, api.tx.tfgridModule.changePowerState('Down'), g.nodePair);
    const waived = await nextBill(c, r);
    expect(waived.events.filter((e) => e.name === 'smartContractModule.RentWaived').map((e) => e.data)).toEqual([[r]]);
    expect(mine(waived.events, 'ContractBilled', r)).toHaveLength(0);
    await billOf(n, { certified: true });
    await sendOk(api, api.tx.tfgridModule.changePowerState('Up'), g.nodePair);

    // Cancel: reserves are paid out. A name contract: 10 % staking pool, 90 % foundation.
    const pct = (p: bigint, x: bigint): bigint => ((x * p) % 100n > 50n ? (x * p) / 100n + 1n : (x * p) / 100n);
    const eveBefore = (await accountOf(api, eve.address)).free;
    const cm = await sendOk(api, tx.cancelContract(m), renter);
    const [, mStd] = cm.events.find((e) => e.event.method === 'RewardDistributed')!.event.data.toJSON() as number[];
    expect((await accountOf(api, eve.address)).free - eveBefore).toBe(big(mStd) - pct(10n, big(mStd)));
    expect(cm.events.find((e) => e.event.method === 'NameContractCanceled')!.event.data.toJSON()).toEqual([m]);
    await sendOk(api, tx.cancelContract(n), renter);
    // A rent contract: the extra fee to the farmer in full, the rest 50 / 40 / 10.
    const farmerBefore = (await accountOf(api, g.farmer.address)).free;
    const cr = await sendOk(api, tx.cancelContract(r), renter);
    const [, rStd, rAdd] = (cr.events.find((e) => e.event.method === 'RewardDistributed')!.event.data.toJSON() as number[]).map(big);
    expect(rAdd).toBeGreaterThan(0n);
    expect((await accountOf(api, g.farmer.address)).free - farmerBefore).toBe(rAdd! + rStd! - pct(40n, rStd!) - pct(10n, rStd!));
    expect(cr.events.find((e) => e.event.method === 'RentContractCanceled')!.event.data.toJSON()).toEqual([r]);
    expect(await accountOf(api, renter.address)).toMatchObject({ reserved: 0n });
  });
});
