/**
 * The data plane's process and runtime API on their own: HAProxy started in master-worker mode
 * with its own config directory, answering its runtime API; a crash (the master killed) restarts
 * it with the same state; a reload keeps the listener (no connection refused in between); stop
 * ends it. And the runtime client's bounds: a command is one line, a reply has a size limit.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@tfgrid/testkit';
import { HaproxyProcess, Runtime } from '../src/gateway';
import { parseStatCsv } from '../src/gateway/haproxy/runtime';
import { silent, until } from './gateway-helpers';

jest.setTimeout(60_000);

let dir: string;
let port: number;
let generation = 0;
let proc: HaproxyProcess;

function get(p: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: p, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gw-haproxy-'));
  port = await freePort();
  proc = new HaproxyProcess({
    config: path.join(dir, 'haproxy.cfg'),
    admin: path.join(dir, 'admin.sock'),
    master: path.join(dir, 'master.sock'),
    logger: silent,
    drainMs: 1000,
    // Each start, restart or reload renders the config again: the answer says which one it is.
    prepare: async () => {
      generation++;
      await writeFile(
        path.join(dir, 'haproxy.cfg'),
        [
          'global',
          '  master-worker',
          `  stats socket ${path.join(dir, 'admin.sock')} mode 600 level admin expose-fd listeners`,
          'defaults',
          '  mode http',
          '  timeout connect 1s',
          '  timeout client 5s',
          '  timeout server 5s',
          'frontend web',
          `  bind 127.0.0.1:${port}`,
          `  http-request return status 200 content-type text/plain string gen${generation}`,
          '',
        ].join('\n'),
      );
    },
  });
  await proc.start();
});

afterAll(async () => {
  await proc?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('starts in master-worker mode and answers HTTP and its runtime API', async () => {
  expect(proc.running).toBe(true);
  expect((await get(port)).body).toBe('gen1');
  const info = await proc.runtime.command('show info');
  expect(info).toMatch(/^Name: HAProxy$/m);
  expect(parseStatCsv(await proc.runtime.command('show stat')).map((r) => r.pxname)).toContain('web');
});

test('a reload starts a new worker with the config rendered again, the listener never closed', async () => {
  let refused = 0;
  let served = 0;
  let stop = false;
  const load = (async () => {
    while (!stop) {
      await get(port).then(
        () => served++,
        () => refused++,
      );
    }
  })();
  await proc.reload();
  await until('the new config answers', async () => (await get(port)).body === 'gen2', 10_000, 20);
  stop = true;
  await load;
  expect(refused).toBe(0);
  expect(served).toBeGreaterThan(0);
});

test('a crash (the master killed) restarts it with its state rendered again', async () => {
  const before = proc.pid!;
  process.kill(before, 'SIGKILL');
  await until('restarted', () => proc.restarts === 1 && proc.running && proc.pid !== before, 20_000, 20);
  expect((await get(port)).body).toBe('gen3');
});

test('the runtime client refuses a command of two lines and bounds a reply', async () => {
  await expect(proc.runtime.command('show info\nshow stat')).rejects.toMatchObject({ code: 'HAPROXY_RUNTIME_REFUSED' });
  const small = new Runtime({ socket: path.join(dir, 'admin.sock'), maxReplyBytes: 100 });
  await expect(small.command('show info')).rejects.toMatchObject({ code: 'HAPROXY_RUNTIME_TOO_LARGE' });
  small.close();
  const nowhere = new Runtime({ socket: path.join(dir, 'none.sock') });
  await expect(nowhere.command('show info')).rejects.toMatchObject({ code: 'HAPROXY_RUNTIME_UNREACHABLE' });
  await expect(proc.runtime.change('del server web/none')).rejects.toMatchObject({ code: 'HAPROXY_RUNTIME_REFUSED' });
});

test('stop ends it: the port is closed', async () => {
  const pid = proc.pid!;
  await proc.stop();
  expect(proc.running).toBe(false);
  expect(() => process.kill(pid, 0)).toThrow();
  await expect(get(port)).rejects.toThrow(/ECONNREFUSED/);
});
