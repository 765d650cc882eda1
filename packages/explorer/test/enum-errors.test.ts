/**
 * Over loopback: a parameter that takes one of a fixed set of values (a TypeBox union of literals,
 * or a comma-separated list of them) answers a wrong value with a 400 that names the parameter and
 * lists the values it takes — for every such parameter the OpenAPI document lists.
 */
import { gridApp, type GridApp } from './grid-fixture';

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  schema: { anyOf?: { enum?: unknown[] }[] };
}
type OpenApi = { paths: Record<string, { get?: { parameters?: Parameter[] } }> };

let grid: GridApp;
beforeAll(async () => {
  grid = await gridApp();
});
afterAll(() => grid.close());

async function refusal(url: string): Promise<{ status: number; error?: string }> {
  const r = await grid.get(url);
  return { status: r.status, error: r.status === 400 ? r.json<{ error: string }>().error : undefined };
}

/** Every query parameter whose schema is a union of single values, with those values in order. */
function enumParameters(): { path: string; name: string; values: string[] }[] {
  const doc = grid.app.swagger() as unknown as OpenApi;
  const found: { path: string; name: string; values: string[] }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const p of item.get?.parameters ?? []) {
      const branches = p.schema.anyOf;
      if (p.in !== 'query' || !branches?.length || !branches.every((b) => b.enum?.length === 1)) continue;
      found.push({ path, name: p.name, values: branches.map((b) => String(b.enum![0])) });
    }
  }
  return found;
}

test('status, type and sort_order name the parameter and the values they take', async () => {
  expect(await refusal('/nodes?status=sleepy')).toEqual({
    status: 400,
    error: "querystring parameter 'status' must be one or more of up, down, standby, comma-separated",
  });
  expect(await refusal('/stats?status=UP')).toEqual({
    status: 400,
    error: "querystring parameter 'status' must be one or more of up, down, standby, comma-separated",
  });
  expect(await refusal('/contracts?type=vm')).toEqual({
    status: 400,
    error: "querystring parameter 'type' must be one of node, name, rent",
  });
  expect(await refusal('/farms?sort_order=up')).toEqual({
    status: 400,
    error: "querystring parameter 'sort_order' must be one of asc, desc",
  });
  // A value it takes is answered.
  expect((await grid.get('/nodes?status=up')).status).toBe(200);
});

test('every enum query parameter in the OpenAPI document lists its values when refused', async () => {
  const params = enumParameters();
  const names = new Set(params.map((p) => `${p.path} ${p.name}`));
  for (const n of [
    '/nodes sort_by',
    '/nodes sort_order',
    '/gateways sort_by',
    '/farms sort_by',
    '/twins sort_by',
    '/contracts type',
    '/contracts sort_by',
    '/public_ips sort_by',
  ])
    expect(names).toContain(n);
  for (const { path, name, values } of params) {
    const r = await refusal(`${path.replace('{id}', '1')}?${name}=no_such_value`);
    expect({ path, ...r }).toEqual({ path, status: 400, error: `querystring parameter '${name}' must be one of ${values.join(', ')}` });
    expect(values.length).toBeGreaterThan(1);
  }
});

test('a comma-separated list of states names the parameter and the values it takes', async () => {
  for (const url of ['/nodes?status=up,sleepy', '/gateways?status=', '/stats?status=up,', '/farms?node_status=Up']) {
    expect(await refusal(url)).toEqual({
      status: 400,
      error: `querystring parameter '${url.includes('node_status') ? 'node_status' : 'status'}' must be one or more of up, down, standby, comma-separated`,
    });
  }
  expect(await refusal('/nodes?features=zmachine,gpu')).toEqual({
    status: 400,
    error: expect.stringContaining("querystring parameter 'features' must be one or more of zmount, zdb"),
  });
  expect((await grid.get('/nodes?status=up,standby')).status).toBe(200);
  expect(await refusal('/contracts?state=Created,Gone')).toEqual({
    status: 400,
    error: "querystring parameter 'state' must be one or more of Created, Deleted, GracePeriod, comma-separated",
  });
  expect((await grid.get('/contracts?state=Created,Deleted')).status).toBe(200);
});

test('other refusals keep their own words', async () => {
  expect(await refusal('/nodes?size=1001')).toEqual({ status: 400, error: "querystring parameter 'size' must be at most 1000" });
  expect(await refusal('/nodes?farm_ids=1,x')).toEqual({
    status: 400,
    error: expect.stringMatching(/^invalid querystring parameter 'farm_ids': must match pattern/),
  });
});
