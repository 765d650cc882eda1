/**
 * TfgridModule farms through @polkadot/api: creation and names, public IPs, renaming, payout
 * address, and the council's certification, dedication and IP reset.
 */
import type { ApiPromise, WsProvider } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Codec } from '@polkadot/types/types';
import { stringToHex } from '@polkadot/util';
import { useChain } from './support/contracts';
import {
  councilApprove,
  councilResultError,
  eventData,
  fund,
  pairOf,
  patched,
  sendErr,
  sendOk,
  setStorage,
  setupFarm,
  setupTwin,
} from './support/grid';

jest.setTimeout(120_000);

let provider: WsProvider;
let api: ApiPromise;
let farmer: KeyringPair;
let other: KeyringPair;
const json = (v: unknown): any => (v as { toJSON(): unknown }).toJSON();
const farm = async (id: number): Promise<any> => json(await api.query.tfgridModule.farms(id));
const farmIdByName = async (name: string): Promise<number> => json(await api.query.tfgridModule.farmIdByName(stringToHex(name)));

const IP = { ip: '185.206.122.33/24', gw: '185.206.122.1' };

useChain(async (chain) => {
  ({ provider, api } = chain);
  farmer = pairOf('//tfgrid-farms//farmer');
  other = pairOf('//tfgrid-farms//other');
  await fund(api, farmer.address);
  await fund(api, other.address);
});

test('create_farm needs a twin, stores the farm with pricing policy 1 and emits FarmStored', async () => {
  expect(await sendErr(api, api.tx.tfgridModule.createFarm('no_twin_farm', []), farmer)).toBe('TfgridModule.TwinNotExists');
  const twinId = await setupTwin(api, farmer);
  const r = await sendOk(api, api.tx.tfgridModule.createFarm('farm-one', [IP]), farmer);
  const id = json(await api.query.tfgridModule.farmID()) as number;
  expect(id).toBe(1);
  const expected = {
    version: 4,
    id,
    name: stringToHex('farm-one'),
    twinId,
    pricingPolicyId: 1,
    certification: 'NotCertified',
    publicIps: [{ ip: stringToHex(IP.ip), gateway: stringToHex(IP.gw), contractId: 0 }],
    dedicatedFarm: false,
    farmingPolicyLimits: null,
  };
  expect(eventData(r.events, 'tfgridModule.FarmStored')).toEqual([expected]);
  expect(await farm(id)).toEqual(expected);
  expect(await farmIdByName('farm-one')).toBe(id);
});

test('farm names: 3–40 bytes of [A-Za-z0-9_-], unique', async () => {
  const create = (name: string) => api.tx.tfgridModule.createFarm(name, []);
  expect(await sendErr(api, create('farm-one'), farmer)).toBe('TfgridModule.FarmExists');
  expect(await sendErr(api, create('ab'), farmer)).toBe('TfgridModule.FarmNameTooShort');
  expect(await sendErr(api, create('a'.repeat(41)), farmer)).toBe('TfgridModule.FarmNameTooLong');
  expect(await sendErr(api, create('my farm'), farmer)).toBe('TfgridModule.InvalidFarmName');
  expect(await sendErr(api, create('farm.one'), farmer)).toBe('TfgridModule.InvalidFarmName');
  expect(await sendErr(api, create('Farm_Two-2'), farmer)).toBeUndefined();
  expect(await sendErr(api, create('x'.repeat(40)), farmer)).toBeUndefined();
});

test('public IPs at creation must be public, consistent and unique', async () => {
  const create = (ips: { ip: string; gw: string }[]) => api.tx.tfgridModule.createFarm('ip-farm', ips);
  const invalid = [
    { ip: '10.0.0.2/24', gw: '10.0.0.1' }, // private
    { ip: '185.206.122.33/24', gw: '185.206.123.1' }, // gateway outside the network
    { ip: '185.206.122.33/24', gw: '185.206.122.0' }, // gateway is the network address
    { ip: '185.206.122.33', gw: '185.206.122.1' }, // not a CIDR
    { ip: '185.206.122.333/24', gw: '185.206.122.1' }, // not an address
    { ip: '192.168.1.10/24', gw: '192.168.1.1' },
    { ip: '127.0.0.2/8', gw: '127.0.0.1' },
  ];
  for (const bad of invalid) expect(await sendErr(api, create([bad]), farmer)).toBe('TfgridModule.InvalidPublicIP');
  expect(await sendErr(api, create([IP, IP]), farmer)).toBe('TfgridModule.IpExists');
  expect(await sendErr(api, create([IP, { ip: '185.206.122.34/24', gw: IP.gw }]), farmer)).toBeUndefined();
  expect((await farm(await farmIdByName('ip-farm'))).publicIps).toHaveLength(2);
});

test("add_farm_ip / remove_farm_ip by the farm's twin; an IP held by a contract cannot be removed", async () => {
  const id = await farmIdByName('farm-one');
  const ip2 = { ip: '185.206.122.40/24', gw: '185.206.122.1' };
  await setupTwin(api, other);
  expect(await sendErr(api, api.tx.tfgridModule.addFarmIp(id, ip2.ip, ip2.gw), other)).toBe('TfgridModule.CannotUpdateFarmWrongTwin');
  expect(await sendErr(api, api.tx.tfgridModule.addFarmIp(9999, ip2.ip, ip2.gw), farmer)).toBe('TfgridModule.FarmNotExists');
  expect(await sendErr(api, api.tx.tfgridModule.addFarmIp(id, '100.64.0.5/24', '100.64.0.1'), farmer)).toBe('TfgridModule.InvalidPublicIP');
  expect(await sendErr(api, api.tx.tfgridModule.addFarmIp(id, IP.ip, IP.gw), farmer)).toBe('TfgridModule.IpExists');
  const r = await sendOk(api, api.tx.tfgridModule.addFarmIp(id, ip2.ip, ip2.gw), farmer);
  expect(eventData(r.events, 'tfgridModule.FarmUpdated')![0]).toMatchObject({
    id,
    publicIps: [{ ip: stringToHex(IP.ip) }, { ip: stringToHex(ip2.ip) }],
  });

  expect(await sendErr(api, api.tx.tfgridModule.removeFarmIp(id, '185.206.122.99/24'), farmer)).toBe('TfgridModule.IpNotExists');
  expect(await sendErr(api, api.tx.tfgridModule.removeFarmIp(id, ip2.ip), other)).toBe('TfgridModule.CannotUpdateFarmWrongTwin');

  // A contract holds IP 1 (as SmartContractModule would record it).
  const stored = ((await api.query.tfgridModule.farms(id)) as unknown as { unwrap(): Codec }).unwrap();
  const held = patched<any>(api, stored, (f) => ({
    ...f,
    publicIps: f.publicIps.map((p: any, i: number) => (i === 0 ? { ...p, contractId: 7 } : p)),
  }));
  await setStorage(provider, [[api.query.tfgridModule.farms.key(id), held]]);
  expect((await farm(id)).publicIps[0].contractId).toBe(7);
  expect(await sendErr(api, api.tx.tfgridModule.removeFarmIp(id, IP.ip), farmer)).toBe('TfgridModule.IpNotExists');

  // force_reset_farm_ip (council) frees it; then it can be removed.
  expect(await sendErr(api, api.tx.tfgridModule.forceResetFarmIp(id, IP.ip), farmer)).toBe('BadOrigin');
  const reset = await councilApprove(api, api.tx.tfgridModule.forceResetFarmIp(id, IP.ip));
  expect(councilResultError(api, reset)).toBeUndefined();
  expect((await farm(id)).publicIps[0].contractId).toBe(0);
  const removed = await sendOk(api, api.tx.tfgridModule.removeFarmIp(id, IP.ip), farmer);
  expect(eventData(removed.events, 'tfgridModule.FarmUpdated')![0]).toMatchObject({ publicIps: [{ ip: stringToHex(ip2.ip) }] });
  const missing = await councilApprove(api, api.tx.tfgridModule.forceResetFarmIp(id, IP.ip));
  expect(councilResultError(api, missing)).toBe('TfgridModule.IpNotExists');
});

test("update_farm renames a farm of the caller's twin and moves FarmIdByName", async () => {
  const id = await farmIdByName('farm-one');
  expect(await sendErr(api, api.tx.tfgridModule.updateFarm(id, 'stolen'), other)).toBe('TfgridModule.CannotUpdateFarmWrongTwin');
  expect(await sendErr(api, api.tx.tfgridModule.updateFarm(id, 'Farm_Two-2'), farmer)).toBe('TfgridModule.InvalidFarmName');
  expect(await sendErr(api, api.tx.tfgridModule.updateFarm(id, 'x!'), farmer)).toBe('TfgridModule.FarmNameTooShort');
  expect(await sendErr(api, api.tx.tfgridModule.updateFarm(999, 'whatever'), farmer)).toBe('TfgridModule.FarmNotExists');
  const r = await sendOk(api, api.tx.tfgridModule.updateFarm(id, 'farm-renamed'), farmer);
  expect(eventData(r.events, 'tfgridModule.FarmUpdated')![0]).toMatchObject({ id, name: stringToHex('farm-renamed') });
  expect(await farmIdByName('farm-renamed')).toBe(id);
  expect(await farmIdByName('farm-one')).toBe(0);
  // Keeping its own name is allowed; the old name is free for others.
  expect(await sendErr(api, api.tx.tfgridModule.updateFarm(id, 'farm-renamed'), farmer)).toBeUndefined();
  expect(await setupFarm(api, other, 'farm-one')).toBeGreaterThan(id);
});

test("add_stellar_payout_v2address by the farm's twin", async () => {
  const id = await farmIdByName('farm-renamed');
  const addr = 'GDHJP6TF3UXYXTNEZ2P36J5FH7W4BJJQ4AYYAXC66I2Q2AH5B6O6BCFG';
  expect(await sendErr(api, api.tx.tfgridModule.addStellarPayoutV2address(id, addr), other)).toBe('TfgridModule.CannotUpdateFarmWrongTwin');
  const r = await sendOk(api, api.tx.tfgridModule.addStellarPayoutV2address(id, addr), farmer);
  expect(eventData(r.events, 'tfgridModule.FarmPayoutV2AddressRegistered')).toEqual([id, stringToHex(addr)]);
  expect(json(await api.query.tfgridModule.farmPayoutV2AddressByFarmID(id))).toBe(stringToHex(addr));
});

test('set_farm_certification and set_farm_dedicated are council-only', async () => {
  const id = await farmIdByName('farm-renamed');
  expect(await sendErr(api, api.tx.tfgridModule.setFarmCertification(id, 'Gold'), farmer)).toBe('BadOrigin');
  expect(await sendErr(api, api.tx.tfgridModule.setFarmDedicated(id, true), farmer)).toBe('BadOrigin');

  const cert = await councilApprove(api, api.tx.tfgridModule.setFarmCertification(id, 'Gold'));
  expect(eventData(cert.events, 'tfgridModule.FarmCertificationSet')).toEqual([id, 'Gold']);
  expect((await farm(id)).certification).toBe('Gold');

  const ded = await councilApprove(api, api.tx.tfgridModule.setFarmDedicated(id, true));
  expect(eventData(ded.events, 'tfgridModule.FarmUpdated')![0]).toMatchObject({ id, dedicatedFarm: true });
  expect((await farm(id)).dedicatedFarm).toBe(true);

  const missing = await councilApprove(api, api.tx.tfgridModule.setFarmCertification(4242, 'Gold'));
  expect(councilResultError(api, missing)).toBe('TfgridModule.FarmNotExists');
});

test("root (through the council's motion origin threshold) is needed: a 1-of-2 motion executes with BadOrigin", async () => {
  const alice = pairOf('//Alice');
  const call = api.tx.tfgridModule.setFarmDedicated(1, false);
  const r = await sendOk(api, api.tx.council.propose(1, call, call.method.encodedLength), alice);
  expect(councilResultError(api, r)).toBe('BadOrigin');
});
