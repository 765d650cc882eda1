/**
 * gateway-fqdn-proxy through the whole agent on a dev chain: the farmer gives the agent's node a
 * public config with a domain; a deployer deploys its own domain (no name contract) pointing at a
 * backend server; the node answers ok, saying HTTPS is refused without an ACME directory, and the
 * domain answers over HTTP by Host with the backend's body. Refused, each with the reason in the
 * node's answer: a domain under the node's own, one another contract serves, a malformed one
 * (sent past the client's checks, as another tool might). And HTTPS for an own domain with a
 * certificate from a real ACME server (Debian's pebble, its DNS answering every name with
 * 127.0.0.1, HTTP-01 checked on the gateway's HTTP port) through an agent started with
 * --acme-directory and --acme-ca: served by SNI, chaining to pebble's root, its key kept 0600.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import {
  deploymentHash,
  DeploymentFailedError,
  encodeEnvelope,
  nodeBoxPublicKey,
  notaryCalls,
  replyKeyPair,
  seal,
  signDeployment,
  TFT,
  type Deployment,
} from '@tfgrid/client';
import type { Agent } from '../src';
import { DirectoryCertificateSource, FULLCHAIN, Gateway, GatewayFqdnProxyHandler, PRIVKEY } from '../src/gateway';
import { KEY_FILE, makeLocalTls, startLocalAcmeServer, type LocalAcmeServer } from '../src/gateway/acme';
import {
  Deployer,
  freePort,
  serveText,
  startAgentGrid,
  startGatewayNode,
  tempDirs,
  until,
  viaGateway,
  viaHttps,
  type AgentGrid,
  type TempDirs,
  type TextBackend,
} from './support/grid';
import { handlerContext } from './fixtures/workloads/helpers';

jest.setTimeout(180_000);

const DOMAIN = 'gw.fqdn.test';
const OWN = 'www.example-shop.test';
let grid: AgentGrid;
let deployer: Deployer;
let other: Deployer;
let dirs: TempDirs;
let agent: Agent | undefined;
let backend: TextBackend;

/** The node's reasons for refusing contract `contractId` (its answer, opened with the deployer's key). */
async function refusal(who: Deployer, contractId: number, deployment?: Deployment): Promise<{ name: string; reason: string }[]> {
  const err = await who.client.deployments
    .wait(contractId, { ...(deployment ? { deployment } : {}), timeoutMs: 60_000 })
    .catch((e: unknown) => e);
  if (!(err instanceof DeploymentFailedError)) throw new Error(`contract ${contractId} was not refused: ${JSON.stringify(err)}`);
  return err.reasons;
}

/** Signs, seals and stores `d` with its contract without the client's validation (a malformed document, as another tool might send). */
async function sendUnchecked(who: Deployer, nodeId: number, d: Deployment): Promise<number> {
  const api = who.client.api;
  const signed = { ...signDeployment(d, who.pair), reply_to: Buffer.from(replyKeyPair(who.pair).publicKey).toString('hex') };
  const sealed = seal(encodeEnvelope(signed), await nodeBoxPublicKey(api, nodeId));
  const hash = deploymentHash(d);
  await who.client.batch([
    ...notaryCalls(api, sealed, nodeId, hash),
    api.tx.smartContractModule.createNodeContract(nodeId, hash, '', 0, null),
  ]);
  const id = await who.client.contracts.idByNodeAndHash(nodeId, hash);
  if (id === undefined) throw new Error('contract not found after creation');
  return id;
}

beforeAll(async () => {
  grid = await startAgentGrid({
    deployers: [
      ['//Charlie', 200n * TFT],
      ['//Dave', 200n * TFT],
    ],
  });
  [deployer, other] = grid.deployers;
  dirs = tempDirs('agent-gateway-fqdn');
  backend = await serveText((req) => `backend saw ${req.headers.host}${req.url}`);
});

afterAll(async () => {
  await agent?.stop();
  await grid?.stop();
  await backend?.close();
  dirs?.cleanup();
});

test("a deployer's own domain is served through the agent's gateway by Host over HTTP, no name contract needed; refusals are named in the node's answer", async () => {
  // A registered node the farmer makes a gateway node (a public config with a domain).
  const started = await startGatewayNode(grid, { dirs, domain: DOMAIN });
  agent = started.agent;
  const { nodeId, httpPort } = started;

  // The own domain: no name contract; the answer says HTTP only (the node has no ACME directory).
  const d = deployer
    .builder(nodeId)
    .gatewayFqdnProxy('own', { fqdn: OWN, backends: [backend.url] })
    .build();
  const { contractId, deployment } = await deployer.client.deployments.create(d);
  const answer = await deployer.client.deployments.wait(contractId, { deployment, timeoutMs: 60_000 });
  expect(answer.workloads).toEqual([
    expect.objectContaining({
      name: 'own',
      type: 'gateway-fqdn-proxy',
      state: 'ok',
      data: { fqdn: OWN, https: `refused: this gateway node has no ACME directory (--acme-directory), so ${OWN} is served on HTTP only` },
    }),
  ]);
  await until(
    'the domain answering through the gateway',
    async () => (await viaGateway(httpPort, OWN).catch(() => ({ status: 0 }))).status === 200,
    60_000,
  );
  expect(await viaGateway(httpPort, OWN)).toEqual({ status: 200, body: `backend saw ${OWN}/hello` });
  expect(await viaGateway(httpPort, OWN.toUpperCase())).toEqual({ status: 200, body: `backend saw ${OWN.toUpperCase()}/hello` });
  expect((await viaGateway(httpPort, `other.example-shop.test`)).status).toBe(404);

  // Refused, the reason in the answer: the node's own domain, a domain another contract serves, a malformed one.
  const under = await other.client.deployments.create(
    other
      .builder(nodeId)
      .gatewayFqdnProxy('sub', { fqdn: `shop.${DOMAIN}`, backends: [backend.url] })
      .build(),
  );
  expect(await refusal(other, under.contractId, under.deployment)).toEqual([
    {
      name: 'sub',
      reason: `fqdn shop.${DOMAIN} is this gateway's own domain ${DOMAIN} or under it: names there are served for name contracts (reserve a name and deploy a gateway-name-proxy instead)`,
    },
  ]);
  const taken = await other.client.deployments.create(
    other
      .builder(nodeId)
      .gatewayFqdnProxy('mine', { fqdn: OWN.toUpperCase(), backends: [backend.url] })
      .build(),
  );
  expect(await refusal(other, taken.contractId, taken.deployment)).toEqual([
    { name: 'mine', reason: `fqdn ${OWN} is already served for contract ${contractId}` },
  ]);
  const bad = {
    ...other
      .builder(nodeId)
      .gatewayFqdnProxy('typo', { fqdn: 'shop.example.test', backends: [backend.url] })
      .build(),
  };
  bad.workloads = [{ ...bad.workloads[0]!, data: { fqdn: 'shop_example', backends: [backend.url] } }];
  const malformed = await sendUnchecked(other, nodeId, bad);
  // The node opens it and refuses the deployment as a whole, naming the field.
  expect(await refusal(other, malformed)).toEqual([
    { name: '(deployment)', reason: expect.stringContaining('$.workloads[0].data.fqdn must be a domain name of two labels or more') },
  ]);
  // The refusals left the served domain alone.
  expect((await viaGateway(httpPort, OWN)).status).toBe(200);

  // The node contract canceled: the domain goes away (404) and is free for another deployer.
  await deployer.client.contracts.cancel(contractId);
  await until('the domain going away', async () => (await viaGateway(httpPort, OWN)).status === 404, 60_000);
  const again = await other.client.deployments.create(
    other
      .builder(nodeId)
      .gatewayFqdnProxy('mine', { fqdn: OWN, backends: [backend.url] })
      .build(),
  );
  expect(
    (await other.client.deployments.wait(again.contractId, { deployment: again.deployment, timeoutMs: 60_000 })).workloads[0],
  ).toMatchObject({ state: 'ok', data: { fqdn: OWN } });
  expect((await viaGateway(httpPort, OWN)).status).toBe(200);
});

test('HTTPS for an own domain through an agent with an ACME directory: a certificate from a real ACME server (pebble), served by SNI, chaining to its root', async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'gateway-fqdn-acme-'));
  const secure = 'secure.example-shop.test';
  const acmeDirs = tempDirs('agent-gateway-acme');
  let pebble: LocalAcmeServer | undefined;
  let acmeAgent: Agent | undefined;
  try {
    const httpPort = await freePort();
    // The CA checks HTTP-01 on the gateway's HTTP port; its DNS answers every name with 127.0.0.1.
    pebble = await startLocalAcmeServer({ host: '127.0.0.1', dir: path.join(work, 'pebble'), answerIPv4: '127.0.0.1', httpPort });
    const started = await startGatewayNode(grid, {
      dirs: acmeDirs,
      domain: 'gw2.fqdn.test',
      httpPort,
      config: { acmeDirectory: pebble.directoryUrl, acmeCa: pebble.caFile },
    });
    acmeAgent = started.agent;
    const { contractId, deployment } = await deployer.client.deployments.create(
      deployer
        .builder(started.nodeId)
        .gatewayFqdnProxy('secure', { fqdn: secure, backends: [backend.url] })
        .build(),
    );
    const answer = await deployer.client.deployments.wait(contractId, { deployment, timeoutMs: 60_000 });
    expect(answer.workloads[0]).toMatchObject({
      state: 'ok',
      data: { fqdn: secure, https: 'certificate by ACME (HTTP-01), renewed before it expires' },
    });
    const secureReply = (): Promise<{ status: number; body: string }> => viaHttps(started.httpsPort, secure, pebble!.rootPem);
    // Verified against pebble's root only (the node has no other certificate): a 200 is the ACME certificate.
    await until(
      'the own domain served on HTTPS with its ACME certificate',
      async () => (await secureReply().catch(() => ({ status: 0 }))).status === 200,
      90_000,
      500,
    );
    expect(await secureReply()).toEqual({ status: 200, body: `backend saw ${secure}/hello` });
    // Its key kept 0600 in the agent's data directory.
    expect(statSync(path.join(acmeDirs.dataDir, 'gateway', 'acme', 'certs', secure, KEY_FILE)).mode & 0o777).toBe(0o600);
    // Canceled: the domain goes away.
    await deployer.client.contracts.cancel(contractId);
    await until('the domain going away', async () => (await viaGateway(httpPort, secure)).status === 404, 60_000);
  } finally {
    await acmeAgent?.stop();
    await pebble?.stop();
    acmeDirs.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});

test('tls_passthrough: the TLS connection goes by SNI to a backend that terminates it with its own certificate', async () => {
  const logger = pino({ level: 'silent' });
  const work = mkdtempSync(path.join(os.tmpdir(), 'gateway-fqdn-pass-'));
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const own = await makeLocalTls('secure.example-shop.test');
  const tlsBackend = https.createServer({ cert: own.certPem, key: own.keyPem }, (req, res) =>
    res.end(`tls backend saw ${req.headers.host}${req.url}`),
  );
  await new Promise<void>((r) => tlsBackend.listen(0, '127.0.0.1', r));
  let gw: Gateway | undefined;
  try {
    const wildcard = await makeLocalTls(`*.${DOMAIN}`);
    const certDir = path.join(work, 'certs');
    mkdirSync(certDir, { recursive: true });
    writeFileSync(path.join(certDir, FULLCHAIN), wildcard.certPem);
    writeFileSync(path.join(certDir, PRIVKEY), wildcard.keyPem, { mode: 0o600 });
    gw = new Gateway({
      logger,
      httpAddress: `127.0.0.1:${httpPort}`,
      httpsAddress: `127.0.0.1:${httpsPort}`,
      certificates: new DirectoryCertificateSource({ dir: certDir, logger }),
      domain: DOMAIN,
      allowLocalBackends: true,
    });
    await gw.start();
    const handler = new GatewayFqdnProxyHandler({
      gateway: gw,
      chain: { nodeDomain: async () => DOMAIN, nameContract: async () => undefined },
      nodeId: 1,
      logger,
      allowLocalBackends: true,
    });
    const ctx = handlerContext(901, 7);
    const port = (tlsBackend.address() as AddressInfo).port;
    const result = await handler.provision(
      {
        version: 0,
        name: 'pass',
        type: 'gateway-fqdn-proxy',
        data: { fqdn: 'secure.example-shop.test', tls_passthrough: true, backends: [`127.0.0.1:${port}`] },
        metadata: '',
        description: '',
      },
      ctx,
    );
    expect(result).toMatchObject({
      fqdn: 'secure.example-shop.test',
      tls_passthrough: true,
      https: 'passthrough: TLS goes to the backends as it came',
    });
    // Trusting only the backend's own CA: the handshake is the backend's, not the gateway's.
    const reply = await viaHttps(httpsPort, 'secure.example-shop.test', own.caPem, '/x');
    expect(reply).toEqual({ status: 200, body: 'tls backend saw secure.example-shop.test/x' });
  } finally {
    await gw?.stop();
    await new Promise((r) => tlsBackend.close(r));
    rmSync(work, { recursive: true, force: true });
  }
});
