/**
 * cgroup v2 limits. This machine (like many containers) has no writable unified hierarchy with the
 * cpu and memory controllers, so the files the runtime writes are checked on a directory laid out
 * like one (the kernel's own enforcement is out of reach here); without the controllers the
 * workload runs anyway and the reason is logged once.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { ProcessRuntime } from '../src/workloads';
import { isAlive } from '../src/core';
import { MiB, tempRoot, until } from './fixtures/workloads/helpers';

let t: ReturnType<typeof tempRoot>;
let runtime: ProcessRuntime | undefined;

function hierarchy(controllers: string): string {
  const root = path.join(t.root, 'cgroup');
  mkdirSync(root);
  writeFileSync(path.join(root, 'cgroup.controllers'), `${controllers}\n`);
  writeFileSync(path.join(root, 'cgroup.subtree_control'), '');
  return root;
}

function captured(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const spec = (id: string) => ({ id, command: 'exec sleep 30', env: {}, cpu: 2, memory: 512 * MiB, mounts: [] });

beforeEach(() => (t = tempRoot('cg')));
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  t.cleanup();
});

test('with cpu and memory controllers: memory.max, cpu.max and the process in cgroup.procs', async () => {
  const root = hierarchy('cpuset cpu io memory pids');
  const { logger } = captured();
  runtime = new ProcessRuntime({ dataDir: t.dataDir, logger, cgroupRoot: root, stopGraceMs: 1000 });
  const { pid } = await runtime.start(spec('40-vm'));
  const dir = path.join(root, 'tfgrid-workloads', '40-vm');
  expect(readFileSync(path.join(dir, 'memory.max'), 'utf8')).toBe(String(512 * MiB));
  expect(readFileSync(path.join(dir, 'cpu.max'), 'utf8')).toBe('200000 100000');
  expect(readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')).toBe(String(pid));
  expect(readFileSync(path.join(root, 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory');
  expect(isAlive(pid!)).toBe(true);
});

test('without them: the workload runs unlimited and the reason is logged once', async () => {
  const root = hierarchy('cpuset io pids');
  const { logger, lines } = captured();
  runtime = new ProcessRuntime({ dataDir: t.dataDir, logger, cgroupRoot: root, stopGraceMs: 1000 });
  const a = await runtime.start(spec('41-a'));
  const b = await runtime.start(spec('41-b'));
  await until('both processes', () => (isAlive(a.pid!) && isAlive(b.pid!) ? true : undefined), 5000, 50);
  const notes = lines.filter((l) => String(l.msg).startsWith('cgroup v2 limits unavailable'));
  expect(notes).toHaveLength(1);
  expect(notes[0]!.reason).toBe(`controllers cpu, memory not available in ${root}`);
});
