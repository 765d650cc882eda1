/**
 * GatewayService, the wiring the agent uses: the handler registered on the provisioner, the
 * listeners started when the node's domain appears (NodePublicConfigStored), contract events
 * applied to the routes, stop.
 */
import { Registry } from 'prom-client';
import type { Workload } from '@tfgrid/client';
import type { ContractFollower } from '../src/contracts';
import { GatewayService, type ContractEventLike, type GatewayChain, type GatewayEventSource, type NameContractInfo } from '../src/gateway';
import type { HandlerContext, WorkloadHandler, WorkloadState } from '../src/core';
import { handlerContext, workloadState } from './fixtures/workloads/helpers';
import { DOMAIN, request, silent, startBackend, until, type Backend } from './gateway-helpers';

jest.setTimeout(20_000);

// The follower is what the agent passes as the event source.
const fits = (f: ContractFollower): GatewayEventSource => f;
void fits;

let backend: Backend;
let domain: string | null = null;
const names = new Map<string, NameContractInfo>();
const chain: GatewayChain = { nodeDomain: async () => domain, nameContract: async (n) => names.get(n) };
const onEvent = new Set<(e: ContractEventLike) => void | Promise<void>>();
const onContract = new Set<(ce: unknown, e: ContractEventLike) => void | Promise<void>>();
const events: GatewayEventSource = {
  onEvent: (l) => (onEvent.add(l), () => onEvent.delete(l)),
  onContractEvent: (l) => (onContract.add(l), () => onContract.delete(l)),
};
const emit = async (e: ContractEventLike): Promise<void> => {
  for (const l of onEvent) await l(e);
  if (e.section === 'smartContractModule') for (const l of onContract) await l({}, e);
};

beforeAll(async () => {
  backend = await startBackend('svc');
});
afterAll(async () => {
  await backend?.close();
});

const wl = (name: string): Workload => ({
  version: 0,
  name: 'gw',
  type: 'gateway-name-proxy',
  data: { name, backends: [backend.url] },
  metadata: '',
  description: '',
});
const ctxOf = (contractId: number, twinId = 4): HandlerContext => handlerContext(contractId, twinId);
const stateOf = (contractId: number, result: Record<string, unknown>, state: 'ok' | 'paused' = 'ok'): WorkloadState =>
  workloadState(contractId, 'gw', result, { state });

test('registers the handler, restores names at recovery, checks them at start, listens once a domain is stored, follows contract events, stops', async () => {
  const handlers: WorkloadHandler[] = [];
  const nru: number[] = [];
  const svc = new GatewayService({
    config: { gatewayHttpAddress: '127.0.0.1:0', gatewayHttpsAddress: '127.0.0.1:0' },
    provisioner: { register: (h) => handlers.push(h) },
    registry: new Registry(),
    logger: silent,
    allowLocalBackends: true,
  });
  expect(handlers.map((h) => h.type)).toEqual(['gateway-name-proxy', 'gateway-fqdn-proxy']);
  const h = handlers[0]!;
  try {
    // recovery, before the chain: routes come back from the previous results, and only those
    await h.provision(wl('kept'), ctxOf(31), stateOf(31, { name: 'kept', domain: DOMAIN, name_contract_id: 28, backends: [backend.url] }));
    await h.provision(
      wl('stolen'),
      ctxOf(32),
      stateOf(32, { name: 'stolen', domain: DOMAIN, name_contract_id: 27, backends: [backend.url] }),
    );
    await expect(h.provision(wl('fresh'), ctxOf(33))).rejects.toThrow(/not registered on the chain yet/);
    expect(svc.status().state).toBe('idle');

    // start: 'stolen' now belongs to another twin → gone; no domain yet → not listening
    names.set('kept', { id: 28, twinId: 4, state: 'Created' });
    names.set('stolen', { id: 27, twinId: 99, state: 'Created' });
    await svc.start({ chain, nodeId: 9, events, nru: { add: (id, bytes) => nru.push(id, bytes) } });
    expect(svc.gateway.route('stolen')!.state).toBe('gone');
    expect(svc.gateway.route('kept')!.state).toBe('active');
    expect(svc.status().state).toBe('idle');
    const w = wl('shop');
    const ctx = ctxOf(30);
    names.set('shop', { id: 29, twinId: 4, state: 'Created' });
    await expect(h.admit!(w, ctx)).rejects.toThrow(/not a gateway/);

    // the farmer sets the public config: the event carries the domain as hex bytes
    domain = DOMAIN;
    await emit({
      section: 'tfgridModule',
      method: 'NodePublicConfigStored',
      data: [9, { ip4: { ip: '0x', gw: '0x' }, ip6: null, domain: `0x${Buffer.from(DOMAIN).toString('hex')}` }],
    });
    await until("svc.status().state === 'running'", () => svc.status().state === 'running', 10_000, 20);
    expect(svc.status().domain).toBe(DOMAIN);
    const port = Number(svc.status().http!.split(':').pop());
    expect((await request(port, `kept.${DOMAIN}`)).status).toBe(200);
    expect((await request(port, `stolen.${DOMAIN}`)).status).toBe(404);

    await h.admit!(w, ctx);
    await h.provision(w, ctx);
    expect((await request(port, `shop.${DOMAIN}`)).status).toBe(200);
    await emit({
      section: 'smartContractModule',
      method: 'ContractGracePeriodStarted',
      data: [29, 9, 4, 100],
      fields: { contract_id: 29, node_id: 9, twin_id: 4, block_number: 100 },
    });
    expect((await request(port, `shop.${DOMAIN}`)).status).toBe(503);
    await emit({ section: 'smartContractModule', method: 'NameContractCanceled', data: [29], fields: { contract_id: 29 } });
    expect((await request(port, `shop.${DOMAIN}`)).status).toBe(404);
  } finally {
    await svc.stop();
  }
  expect(svc.status().state).toBe('stopped');
  expect(onEvent.size + onContract.size).toBe(0);
  expect(nru).toContain(30);
});

test('everything given to the constructor (built once connected): start() reads the domain and listens', async () => {
  domain = DOMAIN;
  names.set('later', { id: 40, twinId: 4, state: 'Created' });
  const handlers: WorkloadHandler[] = [];
  const svc = new GatewayService({
    config: { gatewayHttpAddress: '127.0.0.1:0', gatewayHttpsAddress: '127.0.0.1:0' },
    chain,
    nodeId: 9,
    provisioner: { register: (h) => handlers.push(h) },
    events,
    nru: { add: () => undefined },
    registry: new Registry(),
    logger: silent,
    allowLocalBackends: true,
  });
  try {
    // provisioned before start (a boot reconciliation): checked against the chain right away
    await handlers[0]!.provision(wl('later'), ctxOf(41), stateOf(41, {}));
    await svc.start();
    expect(svc.status()).toMatchObject({ state: 'running', domain: DOMAIN });
    const port = Number(svc.status().http!.split(':').pop());
    expect((await request(port, `later.${DOMAIN}`)).status).toBe(200);
  } finally {
    await svc.stop();
  }
});
