/**
 * The gateway-name-proxy handler's lifecycle against a stub chain: admission rules, pause and
 * resume, recovery of a paused workload, a name found in grace after a restart, and removal
 * only by the workload that holds the route.
 */
import type { Workload } from '@tfgrid/client';
import { GatewayNameProxyHandler, type Gateway, type GatewayChain, type NameContractInfo } from '../src/gateway';
import type { HandlerContext, WorkloadState } from '../src/workloads/types';
import { DOMAIN, request, silent, startBackend, startGateway, type Backend } from './gateway-helpers';

jest.setTimeout(20_000);

let gw: Gateway;
let port: number;
let backend: Backend;
const names = new Map<string, NameContractInfo>();
let domain: string | null = DOMAIN;
const chain: GatewayChain = { nodeDomain: async () => domain, nameContract: async (n) => names.get(n) };
let handler: GatewayNameProxyHandler;

const wl = (name: string, backends = [backend.url]): Workload => ({ version: 0, name: 'gw', type: 'gateway-name-proxy', data: { name, backends }, metadata: '', description: '' });
const ctx = (contractId: number, twinId = 7): HandlerContext => ({ contractId, twinId, workload: () => undefined, result: () => undefined, publicIps: () => [] });
const state = (contractId: number, result: Record<string, unknown>): WorkloadState => ({ contractId, name: 'gw', type: 'gateway-name-proxy', version: 0, state: 'ok', used: { cru: 0, mru: 0, sru: 0, hru: 0 }, result, updatedAt: 0 });

beforeAll(async () => {
  backend = await startBackend('w');
  ({ gw, port } = await startGateway());
  handler = new GatewayNameProxyHandler({ gateway: gw, chain, nodeId: () => 3, logger: silent, allowLocalBackends: true });
});

afterAll(async () => {
  await gw?.stop();
  await backend?.close();
});

test('admission: live name contract of the same twin, explicit backends, no loopback unless allowed', async () => {
  names.set('shop', { id: 50, twinId: 7, state: 'GracePeriod' });
  await expect(handler.admit(wl('shop'), ctx(100))).rejects.toThrow(/is GracePeriod/);
  names.set('shop', { id: 50, twinId: 7, state: 'Created' });
  await handler.admit(wl('shop'), ctx(100));
  await expect(handler.admit(wl('shop'), ctx(100, 8))).rejects.toThrow(/held by twin 7/);
  const strict = new GatewayNameProxyHandler({ gateway: gw, chain, nodeId: 3, logger: silent });
  expect(() => strict.needs(wl('shop', ['http://127.0.0.1:8080']))).toThrow(/gateway node itself/);
  expect(() => strict.needs(wl('shop', ['http://169.254.169.254']))).toThrow(/gateway node itself/);
  expect(strict.needs(wl('shop', ['http://10.20.0.5:8080', 'https://[fd00::5]']))).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
  expect(() => strict.needs({ ...wl('shop'), data: { name: 'shop', backends: ['http://10.0.0.1'], tls_passthrough: true } })).toThrow(/tls_passthrough/);
  domain = null;
  await expect(handler.admit(wl('shop'), ctx(100))).rejects.toThrow(/not a gateway/);
  domain = DOMAIN;
});

test('provision, pause, resume, deprovision; only the holder can take the route down', async () => {
  const result = await handler.provision(wl('shop'), ctx(100));
  expect((await request(port, `shop.${DOMAIN}`)).status).toBe(200);
  await handler.pause(state(100, result));
  expect((await request(port, `shop.${DOMAIN}`)).status).toBe(503);
  // an update of a paused workload stays paused
  await handler.provision(wl('shop'), ctx(100));
  expect((await request(port, `shop.${DOMAIN}`)).status).toBe(503);
  await handler.resume(state(100, result));
  expect((await request(port, `shop.${DOMAIN}`)).status).toBe(200);
  await handler.deprovision(state(101, result)); // another contract's state: not its route
  expect((await request(port, `shop.${DOMAIN}`)).status).toBe(200);
  await handler.deprovision(state(100, result));
  expect((await request(port, `shop.${DOMAIN}`)).status).toBe(404);
});

test('after a restart: a paused workload comes back paused, a name in grace comes back 503', async () => {
  const paused = await handler.provision(wl('shop'), ctx(100), undefined, { paused: true });
  expect((await request(port, `shop.${DOMAIN}`)).status).toBe(503);
  await handler.stop(state(100, paused));
  expect((await request(port, `shop.${DOMAIN}`)).status).toBe(404);
  names.set('shop', { id: 50, twinId: 7, state: 'GracePeriod' });
  const r = await handler.provision(wl('shop'), ctx(100));
  expect(gw.route('shop')).toMatchObject({ state: 'paused', grace: [50] });
  gw.applyContractEvent({ section: 'smartContractModule', method: 'ContractGracePeriodEnded', data: [50, 3, 7] });
  expect((await request(port, `shop.${DOMAIN}`)).status).toBe(200);
  names.set('shop', { id: 50, twinId: 7, state: 'Deleted' });
  await expect(handler.provision(wl('shop'), ctx(100))).rejects.toThrow(/Deleted/);
  await handler.deprovision(state(100, r));
});
