/**
 * The image cache follows the machines: when a zmachine is removed, the images no remaining
 * machine runs on leave the cache (real runc, real overlays); an image still in use stays.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildBusyboxImage } from '../src/workloads/images';
import type { Provisioner } from '../src/workloads';
import { imageServer, sha256, type Route } from './fixtures/images/archives';
import { deployment, tempRoot } from './fixtures/workloads/helpers';
import { deleteLink, runc, runcProvisioner, zmachine } from './fixtures/zmachine/helpers';

jest.setTimeout(120_000);

// Names of this file only, so test files running in parallel never meet.
const BRIDGE = 'tfzim-br';
const SUBNET = '10.249.216.0/24';

let t: ReturnType<typeof tempRoot>;
let p: Provisioner;
let server: Awaited<ReturnType<typeof imageServer>>;
const routes: Record<string, Route & { body: Buffer }> = {};

beforeAll(async () => {
  t = tempRoot('zmachine-images');
  const file = path.join(t.root, 'busybox.tar.gz');
  await buildBusyboxImage(file);
  routes['/busybox.tar.gz'] = { body: readFileSync(file) };
  routes['/busybox.tar'] = { body: gunzipSync(readFileSync(file)) }; // the same system, other bytes: another image
  server = await imageServer(routes);
  ({ provisioner: p } = runcProvisioner({ dataDir: t.dataDir, pool: t.pool, bridge: BRIDGE, subnet: SUBNET }));
  await p.open();
});

afterAll(async () => {
  for (const c of p.contracts()) await p.remove(c);
  await p.stop();
  const root = path.join(t.dataDir, 'runc');
  for (const c of JSON.parse(runc(root, 'list', '--format', 'json')) ?? []) runc(root, 'delete', '--force', (c as { id: string }).id);
  deleteLink(BRIDGE);
  await server.close();
  t.cleanup();
});

const ref = (name: string) => ({ url: server.url(name), sha256: sha256(routes[name]!.body) });
const cachedImages = () =>
  readdirSync(path.join(t.dataDir, 'images'))
    .filter((n) => n !== '.tmp')
    .sort();

async function run(contractId: number, image: { url: string; sha256: string }): Promise<void> {
  const [s] = await p.apply(deployment(contractId, [zmachine(image, 'm', 'exec sleep 1000')]));
  expect(s).toMatchObject({ name: 'm', state: 'ok' });
}

test('removing a zmachine removes the images no remaining machine runs on, and only those', async () => {
  const gz = ref('/busybox.tar.gz');
  const plain = ref('/busybox.tar');
  await run(71, gz);
  await run(72, plain);
  await run(73, gz);
  expect(cachedImages()).toEqual([gz.sha256, plain.sha256].sort());

  await p.remove(72); // the only machine on the plain tar
  expect(cachedImages()).toEqual([gz.sha256]);
  expect(existsSync(path.join(t.dataDir, 'images', plain.sha256))).toBe(false);

  await p.remove(71); // 73 still runs on the same image
  expect(cachedImages()).toEqual([gz.sha256]);
  expect(JSON.parse(runc(path.join(t.dataDir, 'runc'), 'list', '--format', 'json')).map((c: { id: string }) => c.id)).toEqual(['73-m']);

  await p.remove(73);
  expect(cachedImages()).toEqual([]);

  // A later machine on a pruned image fetches it again and runs.
  await run(74, gz);
  expect(server.hits.get('/busybox.tar.gz')).toBe(2);
  expect(cachedImages()).toEqual([gz.sha256]);
});
