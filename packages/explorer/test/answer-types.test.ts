/**
 * The answer types the web page and the CLI read (src/model/answers.ts) are the routes' schemas: the
 * node type is the `/nodes` schema's static type (checked when this file type-checks), the farm
 * and reward types have the properties the OpenAPI document gives `/farms` and the reward routes.
 */
import type { Resources } from '@tfgrid/client';
import type { ContractView, FarmRewardView, FarmView, HealthView, NodeRewardView, NodeView } from '../src/api';
import type {
  ExplorerCapacity,
  ExplorerContract,
  ExplorerFarm,
  ExplorerFarmReward,
  ExplorerHealth,
  ExplorerNode,
  ExplorerNodeReward,
} from '../src';
import type { NodeReward, RewardPolicy } from '../src/rewards';
import { gridApp, type GridApp } from './grid-fixture';

/** true only when A and B are assignable to each other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameNode: Same<ExplorerNode, NodeView> = true;
const sameCapacity: Same<ExplorerCapacity, Resources> = true;
const sameFarm: Same<ExplorerFarm, FarmView> = true;
const sameContract: Same<ExplorerContract, ContractView> = true;
const sameHealth: Same<ExplorerHealth, HealthView> = true;
/** The reward types are answers of the reward schemas (narrower: the policy's rule and the price's source are strings there). */
const nodeRewardFits: ExplorerNodeReward extends NodeRewardView ? true : false = true;
const farmRewardFits: ExplorerFarmReward extends FarmRewardView ? true : false = true;
/** The reward's policy is the client's FarmingPolicy's part, with the rule applied. */
const samePolicy: Same<NonNullable<ExplorerNodeReward['policy']>, RewardPolicy & { rule: 'scaled' | 'threshold' }> = true;
/** What the reward computation answers is the answer type. */
const computedIsAnswer: NodeReward extends ExplorerNodeReward ? true : false = true;

type Schema = { properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[] };
type OpenApi = { paths: Record<string, { get?: { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> } }> };

let grid: GridApp;
let doc: OpenApi;
beforeAll(async () => {
  grid = await gridApp();
  doc = grid.app.swagger() as unknown as OpenApi;
});
afterAll(() => grid.close());

const itemOf = (path: string): Schema => {
  const s = doc.paths[path]?.get?.responses?.['200']?.content?.['application/json']?.schema;
  return s?.items ?? s ?? {};
};

/** Every key a value of type T has, listed once (the compiler checks the list is complete). */
const keysOf = <T>(keys: Record<keyof T, true>): string[] => Object.keys(keys).sort();

it('the node and capacity types are the /nodes schema and the client Resources; the reward policy the client FarmingPolicy', () => {
  expect([sameNode, sameCapacity, samePolicy, computedIsAnswer]).toEqual([true, true, true, true]);
});

it('the farm, contract and health types are the /farms, /contracts and /health schemas; the reward types fit theirs', () => {
  expect([sameFarm, sameContract, sameHealth, nodeRewardFits, farmRewardFits]).toEqual([true, true, true, true, true]);
});

it('the reward types have the properties of the /nodes/{id}/rewards and /farms/{id}/rewards schemas', () => {
  const node = itemOf('/nodes/{id}/rewards');
  const farm = itemOf('/farms/{id}/rewards');
  const nodeKeys = keysOf<ExplorerNodeReward>({
    node_id: true,
    farm_id: true,
    twin_id: true,
    period: true,
    node: true,
    units: true,
    usage: true,
    policy: true,
    uptime: true,
    violation_count: true,
    violations: true,
    price: true,
    reward: true,
    reason: true,
  });
  expect(nodeKeys).toEqual(Object.keys(node.properties ?? {}).sort());
  expect(keysOf<ExplorerFarmReward>({ farm_id: true, farm_name: true, period: true, total: true, nodes: true })).toEqual(
    Object.keys(farm.properties ?? {}).sort(),
  );
  expect(
    keysOf<ExplorerFarmReward['total']>({ musd: true, usd: true, tft_units: true, tft: true, nodes: true, nodes_rewarded: true }),
  ).toEqual(Object.keys(farm.properties?.total?.properties ?? {}).sort());
  expect(
    keysOf<ExplorerNodeReward['uptime']>({
      measured_seconds: true,
      period_seconds: true,
      ratio: true,
      required_ratio: true,
      sla_met: true,
      reports: true,
      reboots: true,
      first_report: true,
      last_report: true,
      post_period_report: true,
      power_managed: true,
    }),
  ).toEqual(Object.keys(node.properties?.uptime?.properties ?? {}).sort());
});

it('the farm type has the /farms schema properties, the public IP type those of its publicIps', () => {
  const farm = itemOf('/farms');
  expect(
    keysOf<ExplorerFarm>({
      name: true,
      farmId: true,
      twinId: true,
      pricingPolicyId: true,
      certificationType: true,
      stellarAddress: true,
      dedicated: true,
      publicIps: true,
    }),
  ).toEqual(Object.keys(farm.properties ?? {}).sort());
  expect(keysOf<ExplorerFarm['publicIps'][number]>({ id: true, ip: true, farm_id: true, contract_id: true, gateway: true })).toEqual(
    Object.keys(farm.properties?.publicIps?.items?.properties ?? {}).sort(),
  );
});
