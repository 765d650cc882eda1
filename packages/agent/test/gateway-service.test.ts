/**
 * GatewayService, the wiring the agent uses: the handler registered on the provisioner, the
 * listeners started when the node's domain appears (NodePublicConfigStored), contract events
 * applied to the routes, stop.
 */
import { Registry } from 'prom-client';
import type { Workload } from '@tfgrid/client';
import type { ContractFollower } from '../src/contracts';
import { GatewayService, type ContractEventLike, type GatewayChain, type GatewayEventSource, type NameContractInfo } from '../src/gateway';
import type { HandlerContext, WorkloadHandler } from '../src/workloads/types';
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

test('registers the handler, listens once a domain is stored, follows contract events, stops', async () => {
  const handlers: WorkloadHandler[] = [];
  const nru: number[] = [];
  const svc = new GatewayService({
    config: { gatewayHttpAddress: '127.0.0.1:0', gatewayHttpsAddress: '127.0.0.1:0' },
    chain,
    nodeId: 9,
    provisioner: { register: (h) => handlers.push(h) },
    events,
    nru: { add: (id, bytes) => nru.push(id, bytes) },
    registry: new Registry(),
    logger: silent,
    allowLocalBackends: true,
  });
  expect(handlers.map((h) => h.type)).toEqual(['gateway-name-proxy']);
  try {
    await svc.start();
    expect(svc.status().state).toBe('idle'); // no domain: not a gateway yet
    const w: Workload = { version: 0, name: 'gw', type: 'gateway-name-proxy', data: { name: 'shop', backends: [backend.url] }, metadata: '', description: '' };
    const ctx: HandlerContext = { contractId: 30, twinId: 4, workload: () => undefined, result: () => undefined };
    names.set('shop', { id: 29, twinId: 4, state: 'Created' });
    await expect(handlers[0]!.admit!(w, ctx)).rejects.toThrow(/not a gateway/);

    // the farmer sets the public config: the event carries the domain as hex bytes
    domain = DOMAIN;
    await emit({ section: 'tfgridModule', method: 'NodePublicConfigStored', data: [9, { ip4: { ip: '0x', gw: '0x' }, ip6: null, domain: `0x${Buffer.from(DOMAIN).toString('hex')}` }] });
    await until(() => svc.status().state === 'running');
    expect(svc.status().domain).toBe(DOMAIN);
    const port = Number(svc.status().http!.split(':').pop());

    await handlers[0]!.admit!(w, ctx);
    await handlers[0]!.provision(w, ctx);
    expect((await request(port, `shop.${DOMAIN}`)).status).toBe(200);
    await emit({ section: 'smartContractModule', method: 'ContractGracePeriodStarted', data: [29, 9, 4, 100], fields: { contract_id: 29, node_id: 9, twin_id: 4, block_number: 100 } });
    expect((await request(port, `shop.${DOMAIN}`)).status).toBe(503);
    await emit({ section: 'smartContractModule', method: 'NameContractCanceled', data: [29], fields: { contract_id: 29 } });
    expect((await request(port, `shop.${DOMAIN}`)).status).toBe(404);
  } finally {
    await svc.stop();
  }
  expect(svc.status().state).toBe('stopped');
  expect(onEvent.size + onContract.size).toBe(0);
  expect(nru[0]).toBe(30);
});
