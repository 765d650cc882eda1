/** Choosing the zmachine runtime (and refusing the process runtime on public networks), the workload network options, and reading limits back from cgroup v1 and v2 files. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src';
import { decideRuntime } from '../src/workloads';
import { limitsIn, limitProblems, oomKills, parseProcCgroup } from '../src/workloads/runc';

const root = { isRoot: true, runc: '/usr/sbin/runc' };

test('auto picks runc where the agent is root and runc is installed, and says why', () => {
  expect(decideRuntime('auto', 'dev', root)).toEqual({
    name: 'runc',
    why: 'the agent runs as root and runc is installed (/usr/sbin/runc)',
  });
  expect(decideRuntime('auto', 'dev', { isRoot: false, runc: '/usr/sbin/runc' })).toEqual({
    name: 'process',
    why: 'runc needs root (the agent is not running as uid 0); falling back to the process runtime (workloads run unconfined; development networks only)',
  });
  expect(decideRuntime('process', 'dev', root).name).toBe('process');
  expect(() => decideRuntime('runc', 'dev', { isRoot: true })).toThrow(
    'the runc runtime needs runc (not on PATH; scripts/install-system-packages.sh installs it)',
  );
});

test('the process runtime is refused on mainnet and testnet, chosen or as a fallback', () => {
  expect(() => decideRuntime('process', 'mainnet', root)).toThrow(
    /^the process runtime is refused on mainnet: it runs deployers' commands on this host unconfined/,
  );
  expect(() => decideRuntime('auto', 'testnet', { isRoot: false })).toThrow(
    /^no workload runtime: runc needs root .* and runc .*, and the process runtime is refused on testnet/,
  );
  expect(decideRuntime('auto', 'mainnet', root).name).toBe('runc');
  expect(() => loadConfig(['--network', 'mainnet', '--workload-runtime', 'process'], {})).toThrow(ConfigError);
  expect(() => loadConfig(['--network', 'testnet', '--workload-runtime', 'process'], {})).toThrow(/refused on testnet/);
});

test('workload runtime, bridge and subnet options are checked', () => {
  const { config } = loadConfig(['--workload-bridge', 'br-x', '--workload-subnet', '10.77.0.0/20'], {});
  expect(config).toMatchObject({ workloadRuntime: 'auto', workloadBridge: 'br-x', workloadSubnet: '10.77.0.0/20' });
  expect(loadConfig([], {}).config).toMatchObject({ workloadBridge: 'tfgrid-wl0', workloadSubnet: '10.249.0.0/16' });
  expect(() => loadConfig(['--workload-runtime', 'kvm'], {})).toThrow('unknown workload runtime kvm (auto, runc, process)');
  expect(() => loadConfig(['--workload-bridge', 'a-very-long-bridge-name'], {})).toThrow(
    "workload bridge name 'a-very-long-bridge-name' must be 1-15 characters of [A-Za-z0-9_.-]",
  );
  expect(() => loadConfig(['--workload-subnet', '10.77.0.1/16'], {})).toThrow("workload subnet '10.77.0.1/16' has host bits set");
  expect(() => loadConfig(['--workload-subnet', '10.77.0.0/8'], {})).toThrow('must be an IPv4 CIDR with a prefix of 16 to 29 bits');
});

describe('limits read back from cgroup files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'tfgrid-cg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('cgroup v2: memory.max, cpu.max, memory.events', () => {
    const cg = path.join(dir, 'tfgrid', 'x', '1-web');
    mkdirSync(cg, { recursive: true });
    writeFileSync(path.join(cg, 'memory.max'), '268435456\n');
    writeFileSync(path.join(cg, 'cpu.max'), '200000 100000\n');
    writeFileSync(path.join(cg, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    const d = parseProcCgroup('0::/tfgrid/x/1-web\n', dir);
    expect(d).toEqual({ cgroup: 'v2', memory: cg, cpu: cg });
    const l = limitsIn(d);
    expect(l).toMatchObject({ cgroup: 'v2', memory: 268435456, cpuQuotaUs: 200000, cpuPeriodUs: 100000 });
    expect(limitProblems(l, 268435456, 200000, 100000)).toEqual([]);
    expect(oomKills(cg)).toBe(1);
    writeFileSync(path.join(cg, 'memory.max'), 'max\n');
    writeFileSync(path.join(cg, 'cpu.max'), 'max 100000\n');
    expect(limitProblems(limitsIn(d), 268435456, 200000, 100000)).toEqual([
      'memory limit is Infinity in the v2 cgroup, wanted 268435456',
      'cpu quota is -1/100000 µs in the v2 cgroup, wanted 200000/100000',
    ]);
  });

  test('cgroup v1 (hybrid: the unified line is ignored where v1 holds the controllers)', () => {
    const mem = path.join(dir, 'memory', 'tfgrid', 'x', '1-web');
    const cpu = path.join(dir, 'cpu', 'tfgrid', 'x', '1-web');
    mkdirSync(mem, { recursive: true });
    mkdirSync(cpu, { recursive: true });
    writeFileSync(path.join(mem, 'memory.limit_in_bytes'), '268435456\n');
    writeFileSync(path.join(mem, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    writeFileSync(path.join(cpu, 'cpu.cfs_quota_us'), '100000\n');
    writeFileSync(path.join(cpu, 'cpu.cfs_period_us'), '100000\n');
    const d = parseProcCgroup('9:memory:/tfgrid/x/1-web\n4:cpu,cpuacct:/tfgrid/x/1-web\n0::/tfgrid/x/1-web\n', dir);
    expect(d).toEqual({ cgroup: 'v1', memory: mem, cpu });
    expect(limitsIn(d)).toMatchObject({ cgroup: 'v1', memory: 268435456, cpuQuotaUs: 100000, cpuPeriodUs: 100000 });
    expect(oomKills(mem)).toBe(2);
  });
});
