/**
 * The gateway handlers' lifecycle against a stub chain: gateway-name-proxy's admission rules,
 * pause and resume, recovery of a paused workload, a name found in grace after a restart, and
 * removal only by the workload that holds the route; gateway-fqdn-proxy's own rules (no name
 * contract; the node's own domain, a taken or malformed fqdn refused with a code), its route by
 * Host, its result; a data plane that is not available refuses both.
 */
import type { Workload } from '@tfgrid/client';
import { Gateway, GatewayNameProxyHandler, type GatewayChain, type NameContractInfo } from '../src/gateway';
import { GatewayFqdnProxyHandler, GatewayWorkloadError } from '../src/gateway';
import type { HandlerContext, WorkloadState } from '../src/core';
import { handlerContext, workloadState } from './fixtures/workloads/helpers';
import { DOMAIN, request, silent, startBackend, startGateway, type Backend } from './gateway-helpers';

jest.setTimeout(20_000);

let gw: Gateway;
let port: number;
let backend: Backend;
const names = new Map<string, NameContractInfo>();
let domain: string | null = DOMAIN;
const chain: GatewayChain = { nodeDomain: async () => domain, nameContract: async (n) => names.get(n) };
let handler: GatewayNameProxyHandler;

const wl = (name: string, backends = [backend.url]): Workload => ({
  version: 0,
  name: 'gw',
  type: 'gateway-name-proxy',
  data: { name, backends },
  metadata: '',
  description: '',
});
const ctx = (contractId: number, twinId = 7): HandlerContext => handlerContext(contractId, twinId);
const state = (contractId: number, result: Record<string, unknown>): WorkloadState => workloadState(contractId, 'gw', result);

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
  // tls_passthrough: backends are IP:port (they terminate TLS); not over a private network.
  expect(() => strict.needs({ ...wl('shop'), data: { name: 'shop', backends: ['http://10.0.0.1'], tls_passthrough: true } })).toThrow(
    /must be IP:port/,
  );
  expect(strict.needs({ ...wl('shop'), data: { name: 'shop', backends: ['10.0.0.1:443'], tls_passthrough: true } })).toEqual({
    cru: 0,
    mru: 0,
    sru: 0,
    hru: 0,
  });
  expect(() => strict.needs({ ...wl('shop'), data: { name: 'shop', backends: ['127.0.0.1:443'], tls_passthrough: true } })).toThrow(
    /backend 127.0.0.1:443 points at the gateway node itself/,
  );
  expect(() =>
    strict.needs({ ...wl('shop'), data: { name: 'shop', backends: ['10.0.0.1:443'], tls_passthrough: true, network: 'net' } }),
  ).toThrow(/tls_passthrough to backends on a private network is not supported/);
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

describe('gateway-fqdn-proxy', () => {
  let fqdns: GatewayFqdnProxyHandler;
  const fq = (fqdn: string, backends = [backend.url], name = 'own'): Workload => ({
    version: 0,
    name,
    type: 'gateway-fqdn-proxy',
    data: { fqdn, backends },
    metadata: '',
    description: '',
  });
  const fqState = (contractId: number, result: Record<string, unknown>): WorkloadState => ({
    ...state(contractId, result),
    name: 'own',
    type: 'gateway-fqdn-proxy',
  });
  const codeOf = (p: Promise<unknown>): Promise<string | undefined> =>
    p.then(
      () => undefined,
      (e: GatewayWorkloadError) => `${e.code}: ${e.message}`,
    );
  beforeAll(() => {
    fqdns = new GatewayFqdnProxyHandler({ gateway: gw, chain, nodeId: () => 3, logger: silent, allowLocalBackends: true });
  });

  test('no name contract: the own domain is served by Host, in any case, and its result says why HTTPS is not', async () => {
    expect(fqdns.type).toBe('gateway-fqdn-proxy');
    await fqdns.admit(fq('Shop.Example.com'), ctx(200));
    const r = await fqdns.provision(fq('Shop.Example.com'), ctx(200));
    expect(r).toMatchObject({
      fqdn: 'shop.example.com',
      tls_passthrough: false,
      domain: DOMAIN,
      backends: [backend.url],
      https: expect.stringMatching(
        /^refused: this gateway node has no ACME directory \(--acme-directory\), so shop.example.com is served on HTTP only$/,
      ),
    });
    expect(r.name_contract_id).toBeUndefined();
    const reply = await request(port, 'shop.example.com', { path: '/x' });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ backend: 'w', url: '/x', headers: { host: 'shop.example.com' } });
    expect((await request(port, 'SHOP.example.com.')).status).toBe(200);
    expect((await request(port, 'other.example.com')).status).toBe(404);
    expect(gw.route('shop.example.com')).toMatchObject({ ownFqdn: true, contractId: 200, workload: 'own', state: 'active' });
    // the same workload again (a restart, an update): kept
    await fqdns.provision(fq('shop.example.com'), ctx(200));
    await fqdns.pause(fqState(200, r));
    expect((await request(port, 'shop.example.com')).status).toBe(503);
    await fqdns.resume(fqState(200, r));
    expect((await request(port, 'shop.example.com')).status).toBe(200);
    await fqdns.deprovision(fqState(201, r)); // not its route
    expect((await request(port, 'shop.example.com')).status).toBe(200);
    await fqdns.deprovision(fqState(200, r));
    expect((await request(port, 'shop.example.com')).status).toBe(404);
  });

  test("refused, with the reason and a code: the node's own domain, a taken fqdn, a malformed one, a node that is no gateway", async () => {
    expect(await codeOf(fqdns.admit(fq(DOMAIN), ctx(200)))).toBe(
      `FQDN_OWN_DOMAIN: fqdn ${DOMAIN} is this gateway's own domain ${DOMAIN} or under it: names there are served for name contracts (reserve a name and deploy a gateway-name-proxy instead)`,
    );
    expect(await codeOf(fqdns.admit(fq(`deep.shop.${DOMAIN.toUpperCase()}`), ctx(200)))).toMatch(/^FQDN_OWN_DOMAIN: /);
    expect(await codeOf(fqdns.admit(fq(`evil${DOMAIN}`), ctx(200)))).toBeUndefined(); // a label boundary, not a suffix
    const r = await fqdns.provision(fq('taken.example.com'), ctx(300));
    expect(await codeOf(fqdns.admit(fq('taken.example.com'), ctx(301)))).toBe(
      'GATEWAY_TAKEN: fqdn taken.example.com is already served for contract 300',
    );
    expect(await codeOf(fqdns.admit(fq('TAKEN.example.com'), ctx(301)))).toMatch(/^GATEWAY_TAKEN/);
    // Another workload of the same deployment serving it is refused; a renamed one takes the route over.
    const withFirst: HandlerContext = { ...ctx(300), workload: (n) => (n === 'own' ? fq('taken.example.com') : undefined) };
    expect(await codeOf(fqdns.admit(fq('taken.example.com', [backend.url], 'second'), withFirst))).toMatch(/^GATEWAY_TAKEN/);
    const renamed = await fqdns.provision(fq('taken.example.com', [backend.url], 'second'), ctx(300));
    expect(gw.route('taken.example.com')).toMatchObject({ contractId: 300, workload: 'second' });
    await fqdns.deprovision(fqState(300, r)); // the old name's state: no longer its route
    expect((await request(port, 'taken.example.com')).status).toBe(200);
    await fqdns.deprovision({ ...fqState(300, renamed), name: 'second' });
    expect((await request(port, 'taken.example.com')).status).toBe(404);
    await fqdns.admit(fq('taken.example.com'), ctx(301)); // free again
    for (const bad of ['localhost', 'a_b.example.com', '10.1.2.3', 'x.example.com.', '*.example.com'])
      expect(await codeOf(fqdns.admit(fq(bad), ctx(200)))).toMatch(/^FQDN_INVALID: fqdn must be a domain name/);
    expect(() => fqdns.needs(fq('a..b'))).toThrow(GatewayWorkloadError);
    domain = null;
    expect(await codeOf(fqdns.admit(fq('shop.example.com'), ctx(200)))).toBe(
      'GATEWAY_NO_DOMAIN: this node is not a gateway: its public config has no domain',
    );
    domain = DOMAIN;
    // a name route and an fqdn route never take each other's place
    names.set('shop', { id: 50, twinId: 7, state: 'Created' });
    const named = await handler.provision(wl('shop'), ctx(100));
    const own = await fqdns.provision(fq('shop.example.com'), ctx(200));
    expect((await request(port, `shop.${DOMAIN}`)).status).toBe(200);
    expect((await request(port, 'shop.example.com')).status).toBe(200);
    await handler.revalidate(); // checks names only
    await fqdns.revalidate();
    expect(gw.route('shop.example.com')?.state).toBe('active');
    await handler.deprovision(state(100, named));
    await fqdns.deprovision(fqState(200, own));
  });

  test('with ACME the result says so; tls_passthrough takes IP:port backends; recovery before the chain brings it back', async () => {
    const acme = new GatewayFqdnProxyHandler({ gateway: gw, chain, nodeId: 3, logger: silent, allowLocalBackends: true, acme: true });
    expect(() => acme.needs(fq('tls.example.com', ['10.0.0.9:8443']))).toThrow(/must be http\(s\):\/\/host\[:port\]/);
    expect(
      acme.needs({ ...fq('tls.example.com'), data: { fqdn: 'tls.example.com', backends: ['10.0.0.9:8443'], tls_passthrough: true } }),
    ).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
    const r = await acme.provision(fq('acme.example.com'), ctx(400));
    expect(r.https).toBe('certificate by ACME (HTTP-01), renewed before it expires');
    await acme.stop(fqState(400, r));
    // recovery runs before the agent reaches the chain: the route comes back from the previous result
    const recovering = new GatewayFqdnProxyHandler({
      gateway: gw,
      chain: () => undefined,
      nodeId: () => undefined,
      logger: silent,
      allowLocalBackends: true,
    });
    const back = await recovering.provision(fq('acme.example.com'), ctx(400), fqState(400, r));
    expect(back.fqdn).toBe('acme.example.com');
    expect((await request(port, 'acme.example.com')).status).toBe(200);
    await expect(recovering.provision(fq('other.example.com'), ctx(400), fqState(400, r))).rejects.toThrow(
      /cannot check the domain before the chain is connected/,
    );
    await recovering.deprovision(fqState(400, back));
    expect((await request(port, 'acme.example.com')).status).toBe(404);
  });
});

test('a node whose data plane is unavailable (no HAProxy) refuses both gateway types with that reason', async () => {
  const missing = new Gateway({
    logger: silent,
    httpAddress: '127.0.0.1:0',
    domain: DOMAIN,
    allowLocalBackends: true,
    haproxyBinary: '/nonexistent/haproxy',
  });
  const why = missing.status().unavailable;
  expect(why).toMatch(/HAProxy/);
  const o = { gateway: missing, chain, nodeId: 3, logger: silent, allowLocalBackends: true };
  names.set('shop', { id: 50, twinId: 7, state: 'Created' });
  const refused = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: GatewayWorkloadError) => `${e.code}: ${e.message}`,
    );
  expect(await refused(new GatewayNameProxyHandler(o).admit(wl('shop'), ctx(100)))).toBe(
    `GATEWAY_UNAVAILABLE: this node serves no gateway workloads: ${why}`,
  );
  const own: Workload = {
    version: 0,
    name: 'own',
    type: 'gateway-fqdn-proxy',
    data: { fqdn: 'shop.example.com', backends: [backend.url] },
    metadata: '',
    description: '',
  };
  expect(await refused(new GatewayFqdnProxyHandler(o).admit(own, ctx(200)))).toBe(
    `GATEWAY_UNAVAILABLE: this node serves no gateway workloads: ${why}`,
  );
});
