/**
 * TfgridModule through @polkadot/api: genesis, terms and conditions, twins, bonded accounts and
 * entities.
 */
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToHex, u8aToHex } from '@polkadot/util';
import { useChain } from './support/contracts';
import { eventData, fund, pairOf, send, sendErr, sendOk, setupTwin, TC_HASH, TC_LINK, twinIdOf } from './support/grid';

jest.setTimeout(120_000);

let api: ApiPromise;
const json = (v: unknown): any => (v as { toJSON(): unknown }).toJSON();

useChain(async (chain) => {
  ({ api } = chain);
});

/** A fresh funded account. */
async function account(name: string): Promise<KeyringPair> {
  const pair = pairOf(`//tfgrid-twins//${name}`);
  await fund(api, pair.address);
  return pair;
}

test('genesis: the default pricing policy, the DIY and Certified farming policies, connection price, counters', async () => {
  const pricing = json(await api.query.tfgridModule.pricingPolicies(1));
  expect(pricing).toMatchObject({
    version: 1,
    id: 1,
    name: stringToHex('threefold_default_pricing_policy'),
    su: { value: 50000, unit: 'Gigabytes' },
    cu: { value: 100000, unit: 'Gigabytes' },
    nu: { value: 15000, unit: 'Gigabytes' },
    ipu: { value: 40000, unit: 'Gigabytes' },
    uniqueName: { value: 2500, unit: 'Gigabytes' },
    domainName: { value: 5000, unit: 'Gigabytes' },
    foundationAccount: pairOf('//Eve').address,
    certifiedSalesAccount: pairOf('//Ferdie').address,
    discountForDedicationNodes: 50,
  });
  expect(json(await api.query.tfgridModule.farmingPoliciesMap(1))).toMatchObject({
    id: 1,
    cu: 2400,
    su: 1000,
    nu: 30,
    ipv4: 5,
    minimalUptime: 95,
    default: true,
    immutable: false,
    nodeCertification: 'Diy',
    farmCertification: 'NotCertified',
    policyCreated: 0,
    policyEnd: 0,
  });
  expect(json(await api.query.tfgridModule.farmingPoliciesMap(2))).toMatchObject({
    id: 2,
    cu: 3000,
    su: 1250,
    nu: 38,
    ipv4: 6,
    minimalUptime: 95,
    default: true,
    nodeCertification: 'Certified',
    farmCertification: 'NotCertified',
  });
  expect(json(await api.query.tfgridModule.connectionPrice())).toBe(80);
  expect(json(await api.query.tfgridModule.pricingPolicyID())).toBe(1);
  expect(json(await api.query.tfgridModule.farmingPolicyID())).toBe(2);
  expect(json(await api.query.tfgridModule.twinID())).toBe(0);
  expect(json(await api.query.tfgridModule.farmID())).toBe(0);
  expect(json(await api.query.tfgridModule.nodeID())).toBe(0);
  expect((await api.query.tfgridModule.palletVersion()).toString()).toBe('V17Struct');
});

test('user_accept_tc appends to UsersTermsAndConditions; link and hash are validated', async () => {
  const u = await account('tc');
  const tc = api.tx.tfgridModule.userAcceptTc;
  expect(await sendErr(api, tc('', TC_HASH), u)).toBe('TfgridModule.DocumentLinkInputTooShort');
  expect(await sendErr(api, tc('https://x y', TC_HASH), u)).toBe('TfgridModule.InvalidDocumentLinkInput');
  expect(await sendErr(api, tc(TC_LINK, ''), u)).toBe('TfgridModule.DocumentHashInputTooShort');
  expect(await sendErr(api, tc(TC_LINK, 'not a hash!'), u)).toBe('TfgridModule.InvalidDocumentHashInput');
  expect(await sendErr(api, tc(TC_LINK, 'a'.repeat(51)), u)).toBe('TfgridModule.DocumentHashInputTooLong');
  expect(await sendErr(api, tc(TC_LINK, TC_HASH), u)).toBeUndefined();
  expect(await sendErr(api, tc(TC_LINK, 'second_version'), u)).toBeUndefined();
  const list = json(await api.query.tfgridModule.usersTermsAndConditions(u.address)) as {
    accountId: string;
    timestamp: number;
    documentLink: string;
    documentHash: string;
  }[];
  expect(list.map((t) => t.documentHash)).toEqual([stringToHex(TC_HASH), stringToHex('second_version')]);
  expect(list[0]!.accountId).toBe(u.address);
  expect(list[0]!.documentLink).toBe(stringToHex(TC_LINK));
  expect(Math.abs(list[0]!.timestamp - Date.now() / 1000)).toBeLessThan(120);
});

test('create_twin needs accepted terms, stores the twin and emits TwinStored; one twin per account', async () => {
  const u = await account('twin');
  const create = api.tx.tfgridModule.createTwin('relay.dev.grid.tf', '0x' + '11'.repeat(32));
  expect(await sendErr(api, create, u)).toBe('TfgridModule.UserDidNotSignTermsAndConditions');
  await sendOk(api, api.tx.tfgridModule.userAcceptTc(TC_LINK, TC_HASH), u);
  const before = json(await api.query.tfgridModule.twinID()) as number;
  const r = await sendOk(api, api.tx.tfgridModule.createTwin('relay.dev.grid.tf', '0x' + '11'.repeat(32)), u);
  const id = before + 1;
  expect(eventData(r.events, 'tfgridModule.TwinStored')).toEqual([
    { id, accountId: u.address, relay: stringToHex('relay.dev.grid.tf'), entities: [], pk: '0x' + '11'.repeat(32) },
  ]);
  expect(json(await api.query.tfgridModule.twinID())).toBe(id);
  expect(await twinIdOf(api, u.address)).toBe(id);
  expect(json(await api.query.tfgridModule.twins(id))).toMatchObject({ id, accountId: u.address, pk: '0x' + '11'.repeat(32) });
  expect(await sendErr(api, api.tx.tfgridModule.createTwin(null, null), u)).toBe('TfgridModule.TwinWithPubkeyExists');
  expect(json(await api.query.tfgridModule.twinID())).toBe(id);
});

test('relays must be dot-separated labels of [A-Za-z0-9_-]; a twin may have none', async () => {
  const u = await account('relay');
  await sendOk(api, api.tx.tfgridModule.userAcceptTc(TC_LINK, TC_HASH), u);
  for (const bad of ['relay..grid.tf', 'relay.grid.', '.relay.grid', 'relay grid', 'rélay', 'a.grid.tf', '']) {
    expect(await sendErr(api, api.tx.tfgridModule.createTwin(bad, null), u)).toBe('TfgridModule.InvalidRelayAddress');
  }
  const r = await sendOk(api, api.tx.tfgridModule.createTwin(null, null), u);
  expect(eventData(r.events, 'tfgridModule.TwinStored')![0]).toMatchObject({ relay: null, pk: null });
});

test("update_twin changes relay and pk of the caller's twin and emits TwinUpdated", async () => {
  const u = await account('update');
  expect(await sendErr(api, api.tx.tfgridModule.updateTwin('relay.grid.tf', null), u)).toBe('TfgridModule.TwinNotExists');
  const id = await setupTwin(api, u);
  expect(await sendErr(api, api.tx.tfgridModule.updateTwin('bad..relay', null), u)).toBe('TfgridModule.InvalidRelayAddress');
  const r = await sendOk(api, api.tx.tfgridModule.updateTwin('relay_2.grid-x.tf', '0xabcd'), u);
  expect(eventData(r.events, 'tfgridModule.TwinUpdated')![0]).toMatchObject({ id, relay: stringToHex('relay_2.grid-x.tf'), pk: '0xabcd' });
  expect(json(await api.query.tfgridModule.twins(id))).toMatchObject({ relay: stringToHex('relay_2.grid-x.tf'), pk: '0xabcd' });
});

test('bond_twin_account binds another account to a twin', async () => {
  const owner = await account('bond-owner');
  const stash = await account('bond-stash');
  const id = await setupTwin(api, owner);
  expect(await sendErr(api, api.tx.tfgridModule.bondTwinAccount(id), owner)).toBe('TfgridModule.TwinCannotBoundToItself');
  expect(await sendErr(api, api.tx.tfgridModule.bondTwinAccount(999_999), stash)).toBe('TfgridModule.TwinNotExists');
  const r = await sendOk(api, api.tx.tfgridModule.bondTwinAccount(id), stash);
  expect(eventData(r.events, 'tfgridModule.TwinAccountBounded')).toEqual([id, stash.address]);
  expect(json(await api.query.tfgridModule.twinBoundedAccountID(id))).toBe(stash.address);
});

describe('entities', () => {
  let target: KeyringPair;
  let submitter: KeyringPair;
  const sign = (pair: KeyringPair, message: Uint8Array): string => u8aToHex(pair.sign(message)).slice(2);
  const entityMessage = (name: string, country: string, city: string): Uint8Array => new TextEncoder().encode(name + country + city);
  const be = (...ns: number[]): Uint8Array => {
    const b = new Uint8Array(4 * ns.length);
    ns.forEach((n, i) => new DataView(b.buffer).setUint32(4 * i, n, false));
    return b;
  };

  beforeAll(async () => {
    target = await account('entity-target');
    submitter = await account('entity-submitter');
  });

  test("create_entity checks the target's signature over name+country+city (hex, 128 chars)", async () => {
    const sig = sign(target, entityMessage('acme', 'Belgium', 'Ghent'));
    const create = (name: string, signature: string, country = 'Belgium', city = 'Ghent') =>
      api.tx.tfgridModule.createEntity(target.address, name, country, city, signature);
    expect(await sendErr(api, create('acme', sig.slice(2)), submitter)).toBe('TfgridModule.SignatureLengthIsIncorrect');
    expect(await sendErr(api, create('other', sig), submitter)).toBe('TfgridModule.EntitySignatureDoesNotMatch');
    expect(await sendErr(api, create('acme', sign(submitter, entityMessage('acme', 'Belgium', 'Ghent'))), submitter)).toBe(
      'TfgridModule.EntitySignatureDoesNotMatch',
    );
    const badCountry = sign(target, entityMessage('acme', 'B', 'Ghent'));
    expect(await sendErr(api, create('acme', badCountry, 'B'), submitter)).toBe('TfgridModule.CountryNameTooShort');
    const r = await sendOk(api, create('acme', sig), submitter);
    const id = json(await api.query.tfgridModule.entityID()) as number;
    expect(eventData(r.events, 'tfgridModule.EntityStored')).toEqual([
      { version: 1, id, name: stringToHex('acme'), accountId: target.address, country: stringToHex('Belgium'), city: stringToHex('Ghent') },
    ]);
    expect(json(await api.query.tfgridModule.entityIdByName(stringToHex('acme')))).toBe(id);
    expect(json(await api.query.tfgridModule.entityIdByAccountID(target.address))).toBe(id);
    expect(await sendErr(api, create('acme', sig), submitter)).toBe('TfgridModule.EntityWithNameExists');
    const sig2 = sign(target, entityMessage('acme2', 'Belgium', 'Ghent'));
    expect(await sendErr(api, create('acme2', sig2), submitter)).toBe('TfgridModule.EntityWithPubkeyExists');
  });

  test('an ed25519 target signs entities too', async () => {
    const ed = pairOf('//tfgrid-twins//entity-ed', 'ed25519');
    const sig = sign(ed, entityMessage('ed-corp', 'France', 'Paris'));
    const r = await sendOk(api, api.tx.tfgridModule.createEntity(ed.address, 'ed-corp', 'France', 'Paris', sig), submitter);
    expect(eventData(r.events, 'tfgridModule.EntityStored')![0]).toMatchObject({ accountId: ed.address });
  });

  test('add_twin_entity / delete_twin_entity: proofs signed by the entity over entity_id ++ twin_id (big endian)', async () => {
    const entityId = json(await api.query.tfgridModule.entityIdByAccountID(target.address)) as number;
    const twinId = await setupTwin(api, submitter);
    const proof = sign(target, be(entityId, twinId));
    expect(await sendErr(api, api.tx.tfgridModule.addTwinEntity(twinId, 999, proof), submitter)).toBe('TfgridModule.EntityNotExists');
    expect(await sendErr(api, api.tx.tfgridModule.addTwinEntity(twinId, entityId, proof), target)).toBe(
      'TfgridModule.UnauthorizedToUpdateTwin',
    );
    expect(await sendErr(api, api.tx.tfgridModule.addTwinEntity(twinId, entityId, sign(target, be(twinId, entityId))), submitter)).toBe(
      'TfgridModule.EntitySignatureDoesNotMatch',
    );
    const r = await sendOk(api, api.tx.tfgridModule.addTwinEntity(twinId, entityId, proof), submitter);
    expect(eventData(r.events, 'tfgridModule.TwinEntityStored')).toEqual([twinId, entityId, stringToHex(proof)]);
    expect(json(await api.query.tfgridModule.twins(twinId)).entities).toEqual([{ entityId, signature: stringToHex(proof) }]);
    expect(await sendErr(api, api.tx.tfgridModule.addTwinEntity(twinId, entityId, proof), submitter)).toBe(
      'TfgridModule.EntityWithSignatureAlreadyExists',
    );

    expect(await sendErr(api, api.tx.tfgridModule.deleteTwinEntity(twinId, entityId + 100), submitter)).toBe(
      'TfgridModule.EntityNotExists',
    );
    const d = await sendOk(api, api.tx.tfgridModule.deleteTwinEntity(twinId, entityId), submitter);
    expect(eventData(d.events, 'tfgridModule.TwinEntityRemoved')).toEqual([twinId, entityId]);
    expect(json(await api.query.tfgridModule.twins(twinId)).entities).toEqual([]);
  });

  test("update_entity and delete_entity by the entity's account", async () => {
    const id = json(await api.query.tfgridModule.entityIdByAccountID(target.address)) as number;
    expect(await sendErr(api, api.tx.tfgridModule.updateEntity('acme', 'Belgium', 'Ghent'), target)).toBe(
      'TfgridModule.EntityWithNameExists',
    );
    expect(await sendErr(api, api.tx.tfgridModule.updateEntity('nobody', 'Belgium', 'Ghent'), submitter)).toBe(
      'TfgridModule.EntityNotExists',
    );
    const r = await sendOk(api, api.tx.tfgridModule.updateEntity('acme-nv', 'Netherlands', 'Utrecht'), target);
    expect(eventData(r.events, 'tfgridModule.EntityUpdated')![0]).toMatchObject({
      id,
      name: stringToHex('acme-nv'),
      country: stringToHex('Netherlands'),
    });
    expect(json(await api.query.tfgridModule.entityIdByName(stringToHex('acme')))).toBe(0);
    expect(json(await api.query.tfgridModule.entityIdByName(stringToHex('acme-nv')))).toBe(id);

    expect(await sendErr(api, api.tx.tfgridModule.deleteEntity(), submitter)).toBe('TfgridModule.EntityNotExists');
    const d = await sendOk(api, api.tx.tfgridModule.deleteEntity(), target);
    expect(eventData(d.events, 'tfgridModule.EntityDeleted')).toEqual([id]);
    expect(json(await api.query.tfgridModule.entities(id))).toBeNull();
    expect(json(await api.query.tfgridModule.entityIdByAccountID(target.address))).toBeNull();
  });
});

test('a refused call still pays its fee; the signed call reaches the pallet (not rejected at submission)', async () => {
  const u = await account('fee');
  const before = json(await api.query.system.account(u.address)).data.free as number;
  const r = await send(api, api.tx.tfgridModule.createTwin(null, null), u);
  expect(r.dispatchError).toBeDefined();
  const paid = r.events.find((e) => e.event.method === 'TransactionFeePaid')!.event.data[1]!.toString();
  expect(BigInt(paid)).toBeGreaterThan(0n);
  expect(BigInt(json(await api.query.system.account(u.address)).data.free)).toBe(BigInt(before) - BigInt(paid));
});
