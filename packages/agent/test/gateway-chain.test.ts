/**
 * The gateway-name-proxy handler against an in-process dev chain: refused on a node without a
 * public config domain, refused for a name held by another twin (or by nobody), admitted for
 * the deployment twin's own name contract and then reachable by its name; the name contract's
 * cancellation, seen as a finalized event, takes the name down.
 */
import type { Devchain } from '@tfgrid/devchain';
import { connect, events, type TfchainClient, type Workload } from '@tfgrid/client';
import { ensureTwin, registerNode, setupDeployer, setupFarmer, startChain } from '@tfgrid/testkit';
import { gatewayChain, GatewayNameProxyHandler, publicConfigDomain, type Gateway } from '../src/gateway';
import type { HandlerContext } from '../src/core';
import { handlerContext } from './fixtures/workloads/helpers';
import { DOMAIN, request, silent, startBackend, startGateway, type Backend } from './gateway-helpers';

jest.setTimeout(90_000);

let chain: Devchain;
let alice: TfchainClient;
let farmer: TfchainClient;
let charlie: TfchainClient;
let node: TfchainClient;
let farmId: number;
let nodeId: number;
let aliceTwin: number;
let aliceName: number;
let gw: Gateway;
let port: number;
let backend: Backend;
let handler: GatewayNameProxyHandler;

const workload = (name: string): Workload => ({
  version: 0,
  name: 'site',
  type: 'gateway-name-proxy',
  data: { name, backends: [backend.url] },
  metadata: '',
  description: '',
});
const ctx = (twinId: number, contractId = 700): HandlerContext => handlerContext(contractId, twinId);

beforeAll(async () => {
  chain = await startChain();
  alice = await connect({ url: chain.url, secret: '//Alice' });
  aliceTwin = await ensureTwin(alice, { relay: null });
  ({ client: farmer, farmId } = await setupFarmer(chain.url, { name: 'gateway_farm', relay: null }));
  const deployer = await setupDeployer(chain.url, alice, '//Charlie');
  charlie = deployer.client;
  expect(deployer.twinId).not.toBe(aliceTwin);
  ({ client: node, nodeId } = await registerNode(chain.url, { farmId, funder: alice, secret: '//GatewayNode', relay: null }));
  aliceName = await alice.contracts.createName('alicesite');
  await charlie.contracts.createName('charliesite');
  backend = await startBackend('site');
  ({ gw, port } = await startGateway({}, { domain: null }));
  handler = new GatewayNameProxyHandler({ gateway: gw, chain: gatewayChain(alice), nodeId, logger: silent, allowLocalBackends: true });
});

afterAll(async () => {
  await gw?.stop();
  await backend?.close();
  for (const c of [alice, farmer, charlie, node]) await c?.disconnect();
  await chain?.stop();
});

test('refused on a node whose public config has no domain; the domain arrives as a finalized event', async () => {
  await expect(handler.admit(workload('alicesite'), ctx(aliceTwin))).rejects.toThrow(/not a gateway/);
  const from = (await alice.api.rpc.chain.getHeader()).number.toNumber();
  await farmer.nodes.setPublicConfig({
    farmId,
    nodeId,
    config: { ip4: { ip: '185.206.122.33/24', gw: '185.206.122.1' }, ip6: null, domain: DOMAIN },
  });
  for await (const e of events(alice.api, { from, pollMs: 200 })) {
    const d = publicConfigDomain(e, nodeId);
    if (d === undefined) continue;
    expect(d).toBe(DOMAIN);
    expect(publicConfigDomain(e, nodeId + 1)).toBeUndefined();
    break;
  }
});

test('a name held by another twin, or by nobody, is refused at admission and at provisioning', async () => {
  await expect(handler.admit(workload('charliesite'), ctx(aliceTwin))).rejects.toThrow(/held by twin \d+, not by the deployment's twin/);
  await expect(handler.provision(workload('charliesite'), ctx(aliceTwin))).rejects.toThrow(/held by twin/);
  await expect(handler.admit(workload('nobodysite'), ctx(aliceTwin))).rejects.toThrow(/no name contract holds nobodysite/);
  expect(() => handler.needs({ ...workload('alicesite'), data: { name: 'alicesite', backends: ['ftp://10.0.0.1'] } })).toThrow(/http\(s\)/);
  expect(() => handler.needs({ ...workload('alicesite'), data: { name: 'alicesite', backends: ['http://10.0.0.1/admin'] } })).toThrow(
    /http\(s\)/,
  );
  expect(gw.routes()).toEqual([]);
});

test("the twin's own name is admitted, provisioned and reachable by its name; canceling the name contract takes it down", async () => {
  await handler.admit(workload('alicesite'), ctx(aliceTwin));
  const result = await handler.provision(workload('alicesite'), ctx(aliceTwin));
  expect(result).toMatchObject({ name: 'alicesite', fqdn: `alicesite.${DOMAIN}`, domain: DOMAIN, name_contract_id: aliceName });
  const r = await request(port, `alicesite.${DOMAIN}`, { path: '/hello' });
  expect(r.status).toBe(200);
  expect(JSON.parse(r.body)).toMatchObject({ backend: 'site', url: '/hello' });

  // another deployment of the same twin cannot take over a name already served
  await expect(handler.admit(workload('alicesite'), ctx(aliceTwin, 701))).rejects.toThrow(/already served for contract 700/);

  const from = (await alice.api.rpc.chain.getHeader()).number.toNumber();
  await alice.contracts.cancel(aliceName);
  const stream = events(alice.api, { from, pollMs: 200 });
  for await (const e of stream) {
    gw.applyContractEvent(e);
    if (e.method === 'NameContractCanceled') break;
  }
  expect(gw.route('alicesite')!.state).toBe('gone');
  expect((await request(port, `alicesite.${DOMAIN}`)).status).toBe(404);
  await expect(handler.provision(workload('alicesite'), ctx(aliceTwin))).rejects.toThrow(/no name contract holds/);

  // the workload's removal frees the route entirely
  await handler.deprovision({
    contractId: 700,
    name: 'site',
    type: 'gateway-name-proxy',
    version: 0,
    state: 'ok',
    used: { cru: 0, mru: 0, sru: 0, hru: 0 },
    result,
    updatedAt: Date.now(),
  });
  expect(gw.route('alicesite')).toBeUndefined();
});
