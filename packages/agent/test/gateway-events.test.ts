/**
 * What contract and public-config events mean for the gateway's routes, read from events in the
 * shapes the follower hands over (the client's ChainEvent, and the @polkadot/api names alone).
 */
import { contractEffect, publicConfigDomain, type ContractEventLike } from '../src/gateway';

const sc = (method: string, data: unknown[]): ContractEventLike => ({ section: 'smartContractModule', method, data });

test('grace, its end, cancellation and elapsed grace each have their effect on the contract they name', () => {
  expect(contractEffect(sc('ContractGracePeriodStarted', [29, 9, 4, 100]))).toEqual({ contractId: 29, effect: 'grace' });
  expect(contractEffect(sc('ContractGracePeriodEnded', [29, 9, 4]))).toEqual({ contractId: 29, effect: 'grace-ended' });
  expect(contractEffect(sc('NameContractCanceled', [29]))).toEqual({ contractId: 29, effect: 'gone' });
  expect(contractEffect(sc('NodeContractCanceled', ['0x1d', 9, 4]))).toEqual({ contractId: 29, effect: 'gone' });
  expect(contractEffect(sc('ContractGracePeriodElapsed', [29, 14400]))).toEqual({ contractId: 29, effect: 'gone' });
  // A runtime that sends the contract struct in the first place.
  expect(contractEffect(sc('NameContractCanceled', [{ contractId: 31, twinId: 4 }]))).toEqual({ contractId: 31, effect: 'gone' });
});

test('the pallet is read from ChainEvent.pallet, from the section, or assumed when neither is given', () => {
  const e = { pallet: 'SmartContractModule', method: 'NameContractCanceled', data: [7], fields: { contract_id: 7 } };
  expect(contractEffect(e)).toEqual({ contractId: 7, effect: 'gone' });
  expect(contractEffect({ method: 'NameContractCanceled', data: [7] })).toEqual({ contractId: 7, effect: 'gone' });
});

test('other events, other pallets and events without a contract id do nothing', () => {
  expect(contractEffect(sc('ContractCreated', [{ contractId: 5 }]))).toBeUndefined();
  expect(contractEffect(sc('RentContractCanceled', [5]))).toBeUndefined();
  expect(contractEffect({ section: 'tfgridModule', method: 'NodeContractCanceled', data: [5, 1, 1] })).toBeUndefined();
  expect(contractEffect(sc('NameContractCanceled', []))).toBeUndefined();
  expect(contractEffect(sc('NameContractCanceled', ['not a number']))).toBeUndefined();
});

test("a node's public config gives its domain (hex bytes or text), null when removed or empty, undefined for other nodes", () => {
  const cfg = (domain: unknown) => ({ ip4: { ip: '0x', gw: '0x' }, ip6: null, domain });
  const stored = (nodeId: unknown, config: unknown): ContractEventLike => ({
    section: 'tfgridModule',
    method: 'NodePublicConfigStored',
    data: [nodeId, config],
  });
  expect(publicConfigDomain(stored(9, cfg(`0x${Buffer.from('gw.example.net').toString('hex')}`)), 9)).toBe('gw.example.net');
  expect(publicConfigDomain(stored(9, cfg('gw.example.net')), 9)).toBe('gw.example.net');
  expect(publicConfigDomain({ ...stored(9, cfg('gw.example.net')), section: undefined, pallet: 'TfgridModule' }, 9)).toBe('gw.example.net');
  expect(publicConfigDomain(stored(9, cfg(null)), 9)).toBeNull();
  expect(publicConfigDomain(stored(9, cfg('0x')), 9)).toBeNull();
  expect(publicConfigDomain(stored(9, null), 9)).toBeNull();
  expect(publicConfigDomain(stored(9, cfg('gw.example.net')), 10)).toBeUndefined();
  // The pallet is never assumed here: an event without one is not this event.
  expect(publicConfigDomain({ method: 'NodePublicConfigStored', data: [9, cfg('gw.example.net')] }, 9)).toBeUndefined();
  expect(publicConfigDomain(sc('NameContractCanceled', [9]), 9)).toBeUndefined();
});
