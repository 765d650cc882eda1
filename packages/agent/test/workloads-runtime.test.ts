/** The process runtime on its own: stop escalation, idempotent start, paused start, refusals. */
import { readFileSync } from 'node:fs';
import { envName, ProcessRuntime } from '../src/workloads';
import { isAlive, readStat } from '../src/core';
import { MiB, logger, tempRoot, until } from './fixtures/workloads/helpers';

let t: ReturnType<typeof tempRoot>;
let runtime: ProcessRuntime | undefined;

const spec = (id: string, command: string) => ({ id, command, env: {}, cpu: 1, memory: 256 * MiB, mounts: [] });

beforeEach(() => (t = tempRoot('rt')));
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  t.cleanup();
});

test('stop sends SIGTERM to the group, then SIGKILL after the grace period to what ignores it', async () => {
  runtime = new ProcessRuntime({ dataDir: t.dataDir, logger: logger(), runAsUser: 'nobody', stopGraceMs: 300 });
  // An ignored signal stays ignored across exec: sleep cannot be ended by SIGTERM.
  const { pid } = await runtime.start(spec('50-stubborn', "trap '' TERM; exec sleep 1000"));
  await until('sleep', () => (readStat(pid!)?.state === 'S' ? true : undefined), 5000, 50);
  await runtime.stop('50-stubborn');
  expect(isAlive(pid!)).toBe(false);
  expect(runtime.status('50-stubborn')).toBe('stopped');
  expect(readFileSync(runtime.logFile('50-stubborn'), 'utf8')).toMatch(/exited code=null signal=SIGKILL/);
  // start again with the same spec: a new process, not a restart loop that was left running
  const again = await runtime.start(spec('50-stubborn', "trap '' TERM; exec sleep 1000"));
  expect(again.pid).not.toBe(pid);
  expect(runtime.status('50-stubborn')).toBe('running');
});

test('start is idempotent for the same spec; a paused start runs nothing until resume', async () => {
  runtime = new ProcessRuntime({ dataDir: t.dataDir, logger: logger(), stopGraceMs: 1000 });
  const a = await runtime.start(spec('51-a', 'exec sleep 1000'));
  const b = await runtime.start(spec('51-a', 'exec sleep 1000'));
  expect(b.pid).toBe(a.pid);
  const p = await runtime.start(spec('51-p', 'exec sleep 1000'), { paused: true });
  expect(p.pid).toBeUndefined();
  expect(runtime.status('51-p')).toBe('paused');
  await runtime.resume('51-p');
  expect(runtime.status('51-p')).toBe('running');
  expect(runtime.info('51-p')!.pid).toBeGreaterThan(1);
});

test('refusals: no entrypoint, a bad id, an unknown run-as user', async () => {
  runtime = new ProcessRuntime({ dataDir: t.dataDir, logger: logger(), runAsUser: 'no-such-user-tfgrid' });
  await expect(runtime.start(spec('52-x', '  '))).rejects.toThrow('the vm has no entrypoint');
  await expect(runtime.start(spec('../etc', 'true'))).rejects.toThrow("invalid runtime id '../etc'");
  if (process.getuid?.() === 0)
    await expect(runtime.start(spec('52-x', 'true'))).rejects.toThrow("cannot run workloads as 'no-such-user-tfgrid'");
  expect(envName('data-vol')).toBe('DATA_VOL');
  expect(envName('/mnt/data')).toBe('MNT_DATA');
});
