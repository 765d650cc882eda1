/**
 * Without a chain, over loopback: every numeric parameter of every route (query, path and header,
 * read from the OpenAPI document) is a finite decimal number within its range, or a 400 naming it;
 * every single-item route refuses unknown parameters as the list routes do.
 */
import { gridApp, type GridApp } from './grid-fixture';

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  schema: { type?: string; minimum?: number; maximum?: number };
}
type OpenApi = { paths: Record<string, { get?: { parameters?: Parameter[] } }> };

let grid: GridApp;
let doc: OpenApi;
beforeAll(async () => {
  grid = await gridApp();
  doc = grid.app.swagger() as unknown as OpenApi;
});
afterAll(() => grid.close());

const STREAM = '/events/stream';
/** A concrete URL of a documented path, with this node/contract id and query. */
const urlOf = (path: string, id: string, query = ''): string => path.replace('{id}', id) + (query ? `?${query}` : '');

async function status(url: string, headers: Record<string, string> = {}): Promise<{ status: number; error?: string }> {
  const r = await grid.get(url, headers);
  return { status: r.status, error: r.status === 400 ? r.json<{ error: string }>().error : undefined };
}

/** Written wrongly for any number: each must be a 400 naming the parameter. */
const NOT_A_NUMBER = [
  'Infinity',
  '-Infinity',
  '1e309',
  '1e3',
  '0x10',
  '0b1',
  '0o7',
  'NaN',
  ' 12',
  '12 ',
  '+1',
  '',
  '1_000',
  '٣',
  '12abc',
  '1'.repeat(30),
];
/** Fine as a number but not as an integer. */
const NOT_AN_INTEGER = ['1.5', '1.0', '0.1'];

function numericParameters(): { path: string; p: Parameter }[] {
  const found: { path: string; p: Parameter }[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const p of item.get?.parameters ?? []) if (p.schema.type === 'integer' || p.schema.type === 'number') found.push({ path, p });
  }
  return found;
}

test('the OpenAPI document lists the numeric parameters with their ranges', () => {
  const names = new Set(numericParameters().map(({ path, p }) => `${path} ${p.name}`));
  for (const n of [
    '/nodes size',
    '/nodes page',
    '/nodes free_mru',
    '/nodes node_id',
    '/nodes min_reputation_24h',
    '/farms farm_id',
    '/twins twin_id',
    '/contracts contract_id',
    '/nodes/{id} id',
    '/contracts/{id} id',
    `${STREAM} last_event_id`,
    `${STREAM} last-event-id`,
  ]) {
    expect(names).toContain(n);
  }
  for (const { path, p } of numericParameters()) {
    expect([path, p.name, typeof p.schema.minimum, typeof p.schema.maximum]).toEqual([path, p.name, 'number', 'number']);
  }
});

test('every numeric parameter refuses non-decimal, infinite, fractional and out-of-range text with a 400 naming it', async () => {
  const params = numericParameters();
  expect(params.length).toBeGreaterThan(40);
  let checked = 0;
  for (const { path, p } of params) {
    const bad = [
      ...NOT_A_NUMBER,
      ...(p.schema.type === 'integer' ? NOT_AN_INTEGER : []),
      String(p.schema.maximum! + 1),
      String(p.schema.minimum! - 1),
    ];
    for (const v of bad) {
      if (p.in === 'path' && v === '') continue; // /nodes/ is another route
      if (p.in === 'header' && (v !== v.trim() || /[^\x20-\x7e]/.test(v))) continue; // HTTP strips a header's outer spaces; only ASCII is sent
      const r =
        p.in === 'query'
          ? await status(urlOf(path, '1', `${p.name}=${encodeURIComponent(v)}`))
          : p.in === 'path'
            ? await status(urlOf(path, encodeURIComponent(v)))
            : await status(urlOf(path, '1'), { [p.name]: v });
      expect({ path, name: p.name, value: v, status: r.status }).toEqual({ path, name: p.name, value: v, status: 400 });
      expect(r.error).toContain(`'${p.name}'`);
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(800);
});

test('a numeric parameter given twice is refused, naming it', async () => {
  expect(await status('/nodes?size=5&size=6')).toEqual({
    status: 400,
    error: "invalid querystring parameter 'size': given more than once",
  });
  expect((await status('/contracts?twin_id=1&twin_id=1')).error).toContain("'twin_id'");
});

test('decimal numbers at the ends of their ranges are accepted', async () => {
  for (const { path, p } of numericParameters()) {
    if (path === STREAM) continue; // a valid stream request stays open; its numbers are checked by the stream tests
    for (const v of [p.schema.minimum!, p.schema.maximum!]) {
      const r = p.in === 'query' ? await status(urlOf(path, '1', `${p.name}=${v}`)) : await status(urlOf(path, String(v)));
      expect({ path, name: p.name, v, ok: r.status === 200 || r.status === 404 }).toEqual({ path, name: p.name, v, ok: true });
    }
  }
  expect((await status('/nodes?min_reputation_24h=0.25')).status).toBe(200);
  expect((await status('/nodes?min_reputation_24h=1.5')).error).toBe("querystring parameter 'min_reputation_24h' must be at most 1");
  expect((await status('/nodes?size=1001')).error).toBe("querystring parameter 'size' must be at most 1000");
  expect((await status('/nodes?page=0')).error).toBe("querystring parameter 'page' must be at least 1");
});

test('every single-item route refuses unknown parameters, as the list routes do', async () => {
  const single = Object.keys(doc.paths).filter((p) => p.includes('{id}'));
  expect(single).toEqual(
    expect.arrayContaining([
      '/contracts/{id}',
      '/contracts/{id}/bills',
      '/farms/{id}',
      '/gateways/{id}',
      '/gateways/{id}/status',
      '/nodes/{id}',
      '/nodes/{id}/status',
      '/nodes/{id}/statistics',
      '/nodes/{id}/gpu',
      '/twins/{id}',
      '/twins/{id}/consumption',
    ]),
  );
  for (const path of [...single, '/ping', '/health', '/metrics']) {
    for (const id of ['1', '4', '999']) {
      const r = await status(urlOf(path, id, 'colour=blue'));
      expect({ path, id, ...r }).toEqual({ path, id, status: 400, error: "unknown querystring parameter 'colour'" });
    }
    // Bills take grid-proxy's Limit (page, size, …); the other single-item routes no pagination.
    if (!path.endsWith('/bills')) expect((await status(urlOf(path, '1', 'size=10'))).error).toBe("unknown querystring parameter 'size'");
  }
  // Without parameters they answer as before.
  expect((await grid.get('/nodes/1')).json()).toMatchObject({ nodeId: 1 });
  expect((await grid.get('/farms/2')).json()).toMatchObject({ farmId: 2, name: 'farm_2', dedicated: true });
  expect((await grid.get('/twins/3')).json()).toEqual({ twinId: 3, accountId: '5Account3', relay: 'relay.dev.grid.tf', publicKey: '' });
  expect((await grid.get('/contracts/1')).json()).toMatchObject({ contract_id: 1, type: 'node' });
  expect((await grid.get('/farms/99')).status).toBe(404);
  expect((await grid.get('/twins/99')).json()).toEqual({ error: 'twin 99 not found' });
});

test("a malformed or overlong path is answered in the API's own form", async () => {
  const bad = await grid.get('/nodes/%zz');
  expect([bad.status, bad.json()]).toEqual([400, { error: 'the URL path has a malformed percent-encoding' }]);
  const long = await grid.get(`/nodes/${'1'.repeat(101)}`);
  expect([long.status, long.json()]).toEqual([414, { error: 'a path parameter is longer than 100 characters' }]);
  expect((await grid.get(`/nodes/${'1'.repeat(25)}`)).json()).toEqual({
    error: "invalid params parameter 'id': must be a whole number in decimal digits",
  });
});

test('free-text and list parameters are bounded in length', async () => {
  expect((await status(`/nodes?country=${'x'.repeat(257)}`)).error).toContain("'country'");
  expect((await status(`/nodes?country=${'x'.repeat(256)}`)).status).toBe(200);
  expect((await status(`/nodes?farm_ids=${'1,'.repeat(600)}1`)).error).toContain("'farm_ids'");
});
