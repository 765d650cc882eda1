/**
 * The answer types the web page and the CLI read (src/answers.ts) are the routes' schemas: the
 * node type is the `/nodes` schema's static type (checked when this file type-checks), the farm
 * type has the properties the OpenAPI document gives `/farms`.
 */
import type { Resources } from '@tfgrid/client';
import type { NodeView } from '../src/api/nodes/view';
import type { ExplorerCapacity, ExplorerFarm, ExplorerNode } from '../src/answers';
import { gridApp, type GridApp } from './grid-fixture';

/** true only when A and B are assignable to each other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameNode: Same<ExplorerNode, NodeView> = true;
const sameCapacity: Same<ExplorerCapacity, Resources> = true;

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

it('the node and capacity types are the /nodes schema and the client Resources', () => {
  expect([sameNode, sameCapacity]).toEqual([true, true]);
});

it('the farm type has the /farms schema properties, the public IP type those of its publicIps', () => {
  const farm = itemOf('/farms');
  expect(keysOf<ExplorerFarm>({ name: true, farmId: true, twinId: true, pricingPolicyId: true, certificationType: true, stellarAddress: true, dedicated: true, publicIps: true })).toEqual(
    Object.keys(farm.properties ?? {}).sort(),
  );
  expect(keysOf<ExplorerFarm['publicIps'][number]>({ id: true, ip: true, farm_id: true, contract_id: true, gateway: true })).toEqual(Object.keys(farm.properties?.publicIps?.items?.properties ?? {}).sort());
});
