/**
 * SmartContractModule solution providers, service contracts, bill_contract_for_block and the
 * billing frequency, through @polkadot/api.
 */
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToHex } from '@polkadot/util';
import { councilApprove, councilResultError, eventData, fund, pairOf, sendErr, sendOk, setupTwin, TFT } from './support/grid';
import { toTft } from './support/pricing';
import {
  blockEvents,
  blocks,
  contractOf,
  freeOf,
  hashOf,
  json,
  lastContractId,
  setupAccounts,
  setupGrid,
  useChain,
  type Grid,
  type TestChain,
} from './support/contracts';

jest.setTimeout(120_000);

let c: TestChain;
let api: ApiPromise;
let g: Grid;
let user: KeyringPair;
const alice = pairOf('//Alice');
const bob = pairOf('//Bob');

const tx = () => api.tx.smartContractModule;

useChain(async (chain) => {
  ({ api } = c = chain);
  g = await setupGrid(api, 'scs');
  [{ pair: user }] = await setupAccounts(api, 'scs', 'user');
});

describe('solution providers', () => {
  test('create (anyone), approve (council), then contracts may name it', async () => {
    const providers = [
      { who: alice.address, take: 10 },
      { who: bob.address, take: 40 },
    ];
    expect(await sendErr(api, tx().createSolutionProvider('too greedy', 'https://x', [{ who: alice.address, take: 51 }]), user)).toBe(
      'SmartContractModule.InvalidProviderConfiguration',
    );
    const r = await sendOk(api, tx().createSolutionProvider('my solution', 'https://example.com', providers), user);
    expect(eventData(r.events, 'smartContractModule.SolutionProviderCreated')).toEqual([
      {
        solutionProviderId: 1,
        providers: providers.map((p) => ({ who: p.who, take: p.take })),
        description: stringToHex('my solution'),
        link: stringToHex('https://example.com'),
        approved: false,
      },
    ]);
    expect(json(await api.query.smartContractModule.solutionProviderID())).toBe(1);
    expect(await sendErr(api, tx().createNodeContract(g.nodeId, hashOf('sp'), '', 0, 1), user)).toBe(
      'SmartContractModule.SolutionProviderNotApproved',
    );

    expect(await sendErr(api, tx().approveSolutionProvider(1, true), alice)).toBe('BadOrigin');
    expect(councilResultError(api, await councilApprove(api, tx().approveSolutionProvider(99, true)))).toBe(
      'SmartContractModule.NoSuchSolutionProvider',
    );
    const approved = await councilApprove(api, tx().approveSolutionProvider(1, true));
    expect(eventData(approved.events, 'smartContractModule.SolutionProviderApproved')).toEqual([1, true]);
    expect(json(await api.query.smartContractModule.solutionProviders(1)).approved).toBe(true);

    await sendOk(api, tx().createNodeContract(g.nodeId, hashOf('sp'), '', 0, 1), user);
    expect((await contractOf(api, await lastContractId(api))).solutionProviderId).toBe(1);
  });

  test('attach_solution_provider_id: once, by the contract owner, an approved provider', async () => {
    await sendOk(api, tx().createNameContract('scs-attach'), user);
    const id = await lastContractId(api);
    await sendOk(api, tx().createSolutionProvider('unapproved', 'https://y', []), user);
    expect(await sendErr(api, tx().attachSolutionProviderId(id, 2), user)).toBe('SmartContractModule.SolutionProviderNotApproved');
    expect(await sendErr(api, tx().attachSolutionProviderId(id, 42), user)).toBe('SmartContractModule.NoSuchSolutionProvider');
    expect(await sendErr(api, tx().attachSolutionProviderId(9999, 1), user)).toBe('SmartContractModule.ContractNotExists');
    expect(await sendErr(api, tx().attachSolutionProviderId(id, 1), alice)).toBe('SmartContractModule.TwinNotExists');
    const r = await sendOk(api, tx().attachSolutionProviderId(id, 1), user);
    expect((eventData(r.events, 'smartContractModule.ContractUpdated') as any[])[0]).toMatchObject({
      contractId: id,
      solutionProviderId: 1,
    });
    expect(await sendErr(api, tx().attachSolutionProviderId(id, 1), user)).toBe(
      'SmartContractModule.UnauthorizedToChangeSolutionProviderId',
    );
  });
});

describe('service contracts', () => {
  let service: KeyringPair;
  let consumer: KeyringPair;
  let serviceTwin: number;
  let consumerTwin: number;
  let stranger: KeyringPair;

  beforeAll(async () => {
    service = pairOf('//scs//service');
    consumer = pairOf('//scs//consumer');
    stranger = pairOf('//scs//stranger');
    for (const p of [service, consumer, stranger]) await fund(api, p.address);
    serviceTwin = await setupTwin(api, service);
    consumerTwin = await setupTwin(api, consumer);
    await setupTwin(api, stranger);
  });

  const sc = async (id: number): Promise<any> => json(await api.query.smartContractModule.serviceContracts(id));

  test('the whole flow: create, fees, metadata, approvals, bills, cancel', async () => {
    expect(await sendErr(api, tx().serviceContractCreate(service.address, consumer.address), stranger)).toBe(
      'SmartContractModule.TwinNotAuthorized',
    );
    expect(await sendErr(api, tx().serviceContractCreate(service.address, service.address), service)).toBe(
      'SmartContractModule.ServiceContractCreationNotAllowed',
    );
    expect(await sendErr(api, tx().serviceContractCreate(service.address, pairOf('//scs//no-twin').address), service)).toBe(
      'SmartContractModule.TwinNotExists',
    );

    const created = await sendOk(api, tx().serviceContractCreate(service.address, consumer.address), consumer);
    const id = json(await api.query.smartContractModule.serviceContractID());
    expect(eventData(created.events, 'smartContractModule.ServiceContractCreated')).toEqual([
      {
        serviceContractId: id,
        serviceTwinId: serviceTwin,
        consumerTwinId: consumerTwin,
        baseFee: 0,
        variableFee: 0,
        metadata: '0x',
        acceptedByService: false,
        acceptedByConsumer: false,
        lastBill: 0,
        state: 'Created',
      },
    ]);
    expect(await sendErr(api, tx().serviceContractApprove(id), consumer)).toBe('SmartContractModule.ServiceContractApprovalNotAllowed');
    expect(await sendErr(api, tx().serviceContractReject(id), consumer)).toBe('SmartContractModule.ServiceContractRejectionNotAllowed');
    expect(await sendErr(api, tx().serviceContractBill(id, 0, ''), service)).toBe(
      'SmartContractModule.ServiceContractBillingNotApprovedByBoth',
    );

    // Fees by the service only; the agreement is ready once fees and metadata are set.
    expect(await sendErr(api, tx().serviceContractSetFees(id, 36_000_000, 1_000_000), consumer)).toBe(
      'SmartContractModule.TwinNotAuthorized',
    );
    const fees = await sendOk(api, tx().serviceContractSetFees(id, 36_000_000, 1_000_000), service);
    expect((eventData(fees.events, 'smartContractModule.ServiceContractFeesSet') as any[])[0]).toMatchObject({
      baseFee: 36_000_000,
      variableFee: 1_000_000,
      state: 'Created',
    });
    expect(await sendErr(api, tx().serviceContractSetMetadata(id, 'm'.repeat(65)), consumer)).toBe(
      'SmartContractModule.ServiceContractMetadataTooLong',
    );
    expect(await sendErr(api, tx().serviceContractSetMetadata(id, 'meta'), stranger)).toBe('SmartContractModule.TwinNotAuthorized');
    const meta = await sendOk(api, tx().serviceContractSetMetadata(id, 'two public keys'), consumer);
    expect((eventData(meta.events, 'smartContractModule.ServiceContractMetadataSet') as any[])[0]).toMatchObject({
      metadata: stringToHex('two public keys'),
      state: 'AgreementReady',
    });

    expect(await sendErr(api, tx().serviceContractApprove(id), stranger)).toBe('SmartContractModule.TwinNotAuthorized');
    const a1 = await sendOk(api, tx().serviceContractApprove(id), service);
    expect((eventData(a1.events, 'smartContractModule.ServiceContractApproved') as any[])[0]).toMatchObject({
      acceptedByService: true,
      acceptedByConsumer: false,
      state: 'AgreementReady',
    });
    const a2 = await sendOk(api, tx().serviceContractApprove(id), consumer);
    const approved = (eventData(a2.events, 'smartContractModule.ServiceContractApproved') as any[])[0];
    expect(approved).toMatchObject({ acceptedByService: true, acceptedByConsumer: true, state: 'ApprovedByBoth' });
    expect(Math.abs(approved.lastBill - Date.now() / 1000)).toBeLessThan(30);
    expect(await sendErr(api, tx().serviceContractSetMetadata(id, 'x'), consumer)).toBe(
      'SmartContractModule.ServiceContractModificationNotAllowed',
    );
    expect(await sendErr(api, tx().serviceContractSetFees(id, 1, 1), service)).toBe(
      'SmartContractModule.ServiceContractModificationNotAllowed',
    );

    // Ten minutes later the service bills: base fee for the window (≤ 1 h) plus a variable amount ≤ its share of the variable fee.
    await blocks(c, 100);
    expect(await sendErr(api, tx().serviceContractBill(id, 100, ''), consumer)).toBe('SmartContractModule.TwinNotAuthorized');
    expect(await sendErr(api, tx().serviceContractBill(id, 400_000, ''), service)).toBe(
      'SmartContractModule.ServiceContractBillingVariableAmountTooHigh',
    );
    expect(await sendErr(api, tx().serviceContractBill(id, 100, 'b'.repeat(51)), service)).toBe(
      'SmartContractModule.ServiceContractBillMetadataTooLong',
    );
    const consumerBefore = await freeOf(api, consumer.address);
    const serviceBefore = await freeOf(api, service.address);
    const billed = await sendOk(api, tx().serviceContractBill(id, 100_000, 'usage'), service);
    const [contract, bill, amount] = eventData(billed.events, 'smartContractModule.ServiceContractBilled') as any[];
    expect(bill.variableAmount).toBe(100_000);
    expect(bill.metadata).toBe(stringToHex('usage'));
    expect(bill.window).toBeGreaterThanOrEqual(600);
    expect(bill.window).toBe(contract.lastBill - approved.lastBill);
    // Units USD = round(base × window / 3600 + variable) (exact here: 36,000,000 / 3600 = 10,000 a second), to TFT at 10 mUSD.
    const units = 10_000n * BigInt(bill.window) + 100_000n;
    expect(BigInt(amount)).toBe(toTft(units));
    const fee = BigInt((eventData(billed.events, 'transactionPayment.TransactionFeePaid') as number[])[1]!);
    expect(await freeOf(api, consumer.address)).toBe(consumerBefore - BigInt(amount));
    expect(await freeOf(api, service.address)).toBe(serviceBefore + BigInt(amount) - fee);

    // A consumer who cannot pay: the bill fails and nothing changes.
    await blocks(c, 100);
    await sendOk(api, api.tx.balances.transferAll(alice.address, true), consumer);
    expect(await sendErr(api, tx().serviceContractBill(id, 0, ''), service)).toBe(
      'SmartContractModule.ServiceContractNotEnoughFundsToPayBill',
    );
    expect((await sc(id)).lastBill).toBe(contract.lastBill);

    expect(await sendErr(api, tx().serviceContractCancel(id), stranger)).toBe('SmartContractModule.TwinNotAuthorized');
    const cancel = await sendOk(api, tx().serviceContractCancel(id), service);
    expect(eventData(cancel.events, 'smartContractModule.ServiceContractCanceled')).toEqual([id, 'CanceledByUser']);
    expect(await sc(id)).toBeNull();
    expect(await sendErr(api, tx().serviceContractCancel(id), service)).toBe('SmartContractModule.ServiceContractNotExists');
    await fund(api, consumer.address);
  });

  test('service_contract_reject cancels an agreement that is ready', async () => {
    await sendOk(api, tx().serviceContractCreate(service.address, consumer.address), service);
    const id = json(await api.query.smartContractModule.serviceContractID());
    await sendOk(api, tx().serviceContractSetMetadata(id, 'meta'), service);
    await sendOk(api, tx().serviceContractSetFees(id, 1000, 0), service);
    expect((await sc(id)).state).toBe('AgreementReady');
    const r = await sendOk(api, tx().serviceContractReject(id), consumer);
    expect(eventData(r.events, 'smartContractModule.ServiceContractCanceled')).toEqual([id, 'CanceledByUser']);
    expect(await sc(id)).toBeNull();
  });
});

describe('billing calls', () => {
  test('bill_contract_for_block: anyone may bill any contract (and pays the fee)', async () => {
    await sendOk(api, tx().createNameContract('scs-billed'), user);
    const id = await lastContractId(api);
    await blocks(c, 3);
    const before = json(await api.query.smartContractModule.contractPaymentState(id));
    const r = await sendOk(api, tx().billContractForBlock(id), bob);
    const [bill] = eventData(r.events, 'smartContractModule.ContractBilled') as any[];
    // A name contract costs little: 1000 TFT cover it for years (Gold, −60 %).
    expect(bill).toMatchObject({ contractId: id, discountLevel: 'Gold' });
    expect(bill.amountBilled).toBeGreaterThan(0);
    expect((eventData(r.events, 'transactionPayment.TransactionFeePaid') as number[])[1]).toBeGreaterThan(0);
    // Every bill of the block (the hook may have billed this slot before the extrinsic) is reserved.
    const bills = (await blockEvents(api, r.blockHash)).filter(
      (e) => e.name === 'smartContractModule.ContractBilled' && e.data[0].contractId === id,
    );
    const after = json(await api.query.smartContractModule.contractPaymentState(id));
    expect(after.standardReserve).toBe(before.standardReserve + bills.reduce((s, e) => s + e.data[0].amountBilled, 0));
    expect(after.cycles).toBe(before.cycles + bills.length);
    expect(await sendErr(api, tx().billContractForBlock(9999), bob)).toBe('SmartContractModule.ContractNotExists');
  });

  test('change_billing_frequency: council only, and only upwards', async () => {
    expect(await sendErr(api, tx().changeBillingFrequency(20), alice)).toBe('BadOrigin');
    expect(councilResultError(api, await councilApprove(api, tx().changeBillingFrequency(5)))).toBe(
      'SmartContractModule.CanOnlyIncreaseFrequency',
    );
    expect(councilResultError(api, await councilApprove(api, tx().changeBillingFrequency(10)))).toBe(
      'SmartContractModule.CanOnlyIncreaseFrequency',
    );
    const r = await councilApprove(api, tx().changeBillingFrequency(20));
    expect(eventData(r.events, 'smartContractModule.BillingFrequencyChanged')).toEqual([20]);
    expect(json(await api.query.smartContractModule.billingFrequency())).toBe(20);
    void TFT;
  });
});
