/**
 * The Web Gateway through the whole agent: a farmer gives the agent's node a public config with a
 * domain; a deployer reserves a name with a name contract and deploys a gateway-name-proxy
 * workload (sealed in the notary, node contract with its hash) pointing at a backend server; the
 * agent provisions it and the name answers through the gateway with the backend's body; the
 * bytes are counted for the node contract; canceling the name contract takes the name down (404).
 */
import { TFT, type TfchainClient } from '@tfgrid/client';
import type { Agent } from '../src';
import {
  Deployer,
  scrape,
  serveText,
  startAgentGrid,
  startGatewayNode,
  tempDirs,
  until,
  viaGateway,
  type AgentGrid,
  type TempDirs,
  type TextBackend,
} from './support/grid';

jest.setTimeout(120_000);

const DOMAIN = 'gw.agent.test';
let grid: AgentGrid;
let alice: TfchainClient;
let deployer: Deployer;
let dirs: TempDirs;
let agent: Agent | undefined;
let backend: TextBackend;

beforeAll(async () => {
  grid = await startAgentGrid({ deployers: [['//Charlie', 200n * TFT]] });
  alice = grid.alice;
  [deployer] = grid.deployers;
  dirs = tempDirs('agent-gateway');
  backend = await serveText((req) => `backend saw ${req.headers['x-forwarded-host']}${req.url}`);
});

afterAll(async () => {
  await agent?.stop();
  await grid?.stop();
  await backend?.close();
  dirs?.cleanup();
});

test("a name contract deployed through the notary is reachable through the agent's gateway by its name, and goes away on cancel", async () => {
  // A registered node the farmer makes a gateway node (a public config with a domain).
  const started = await startGatewayNode(grid, { dirs, domain: DOMAIN });
  agent = started.agent;
  const { nodeId, httpPort } = started;

  // The deployer holds the name and asks the node to proxy it.
  const nameContractId = await deployer.client.contracts.createName('mysite');
  const d = deployer
    .builder(nodeId)
    .gatewayNameProxy('site', { name: 'mysite', backends: [backend.url] })
    .build();
  const { contractId } = await deployer.deploy(nodeId, d);

  const host = `mysite.${DOMAIN}`;
  await until(
    'the name answering through the gateway',
    async () => (await viaGateway(httpPort, host).catch(() => ({ status: 0 }))).status === 200,
    60_000,
  );
  const r = await viaGateway(httpPort, host);
  expect(r).toEqual({ status: 200, body: `backend saw ${host}/hello` });
  expect((await viaGateway(httpPort, `othersite.${DOMAIN}`)).status).toBe(404);
  const text = await scrape(agent);
  expect(text).toMatch(/tfgrid_gateway_requests_total\{name="mysite",code="200"\} [1-9]/);
  expect(agent.status()).toMatchObject({ state: 'running' });

  // The name contract canceled: the name goes away at once (404), the node contract stays.
  await deployer.client.contracts.cancel(nameContractId);
  await until('the name going away', async () => (await viaGateway(httpPort, host)).status === 404, 60_000);
  expect(await alice.contracts.get(contractId)).toBeDefined();
});
