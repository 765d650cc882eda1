/**
 * `tfgrid nodes find` and `tfgrid status` against grid-proxy's own response shapes: a local HTTP
 * server on 127.0.0.1 answers /nodes and /health with recorded bodies in the shape grid-proxy
 * documents (test/fixtures/grid-proxy: nodes without `free_resources`, whose `used_resources`
 * include what the node reserves; its /health body), the chain's part of `status` from a dev chain.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startDevchain, type Devchain } from '@tfgrid/devchain';
import { cli } from './helpers';

const FIXTURES = path.join(__dirname, 'fixtures/grid-proxy');
const NODES = readFileSync(path.join(FIXTURES, 'nodes.json'), 'utf8');
const HEALTH = JSON.parse(readFileSync(path.join(FIXTURES, 'health.json'), 'utf8')) as Record<string, unknown>;

let server: Server;
let proxy = '';
let health: Record<string, unknown> = HEALTH;
const asked: string[] = [];
let chain: Devchain;

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const route = (req.url ?? '').split('?')[0];
    const body = route === '/nodes' ? NODES : route === '/health' ? JSON.stringify(health) : JSON.stringify({ error: 'not found' });
    res.writeHead(route === '/nodes' || route === '/health' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  chain = await startDevchain({ port: 0 });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await chain?.stop();
});

test('nodes find in text mode computes free capacity from total − used when grid-proxy sends no free_resources', async () => {
  const r = await cli(['nodes', 'find', '--explorer', proxy, '--free-mru', '2GiB', '--country', 'Belgium']);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  const lines = r.stdout.trim().split('\n');
  expect(lines[0]).toMatch(/NODE\s+FARM\s+STATUS\s+FREE CRU\s+FREE MRU\s+FREE SRU\s+FREE HRU\s+COUNTRY\s+CONTRACTS/);
  // Node 11: 64 GiB − (6.4 GiB reserved + 8 GiB used); 1000 − 120 GiB SSD; 4000 − 1000 GiB HDD; grid-proxy has no contract count.
  expect(lines[1]!.split(/\s{2,}/)).toEqual(['11', '1', 'up', '12/16', '49.60 GiB', '880.00 GiB', '2.93 TiB', 'Belgium', '-']);
  expect(lines[2]!.split(/\s{2,}/)).toEqual(['12', '2', 'up', '8/8', '28.80 GiB', '480.00 GiB', '0 B', 'Egypt', '-']);
  // The query went out under grid-proxy's names.
  const q = new URL(proxy + asked.find((u) => u.startsWith('/nodes'))!).searchParams;
  expect(Object.fromEntries(q)).toEqual({
    status: 'up',
    free_mru: String(2 * 1024 ** 3),
    country: 'Belgium',
    size: '50',
    sort_by: 'node_id',
  });
  // --json passes the body through as grid-proxy sent it.
  const j = await cli(['nodes', 'find', '--explorer', proxy, '--json']);
  expect(j.json()).toEqual(JSON.parse(NODES));
});

test("status reads grid-proxy's /health body: its state and connections, no indexed height", async () => {
  health = HEALTH;
  const r = await cli(['status', '--json', '--url', chain.url, '--explorer', proxy]);
  expect(r.code).toBe(0);
  expect(r.json().explorer).toEqual({ url: proxy, kind: 'grid-proxy', status: 'ok', db: 'ok', rmb: 'ok', lastError: null });
  const text = await cli(['status', '--url', chain.url, '--explorer', proxy]);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(new RegExp(`explorer:\\s+${proxy.replace(/[.]/g, '\\.')} \\(grid-proxy\\): ok, database ok, rmb ok`));
  // Degraded: said so, with what grid-proxy reports failing.
  health = { ...HEALTH, total_state_ok: false, rmb_conn: 'failed to reach the relay' };
  const bad = await cli(['status', '--json', '--url', chain.url, '--explorer', proxy]);
  expect(bad.json().explorer).toMatchObject({ kind: 'grid-proxy', status: 'degraded', lastError: 'rmb: failed to reach the relay' });
  // A body of neither shape is named as such (exit 1), the chain still printed.
  health = { hello: 'world' };
  const odd = await cli(['status', '--url', chain.url, '--explorer', proxy]);
  expect(odd.code).toBe(1);
  expect(odd.stdout).toMatch(/head:\s+#\d+/);
  expect(odd.stdout).toMatch(/neither our explorer's nor grid-proxy's body/);
});
