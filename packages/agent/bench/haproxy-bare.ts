/**
 * The gateway benchmark's yardstick: a bare HAProxy with the least config that proxies HTTP (one
 * frontend, one backend with the benchmark's one server, timeouts; HAProxy's own defaults for
 * everything else, threads included), in the foreground as a child of the bench. What the
 * gateway is measured against is the engine itself, nothing the agent configures.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CodedError } from '../src';
import { answers, sleep } from './measure';

/** Debian's haproxy (scripts/install-system-packages.sh); BENCH_HAPROXY names another binary. */
export const HAPROXY = process.env.BENCH_HAPROXY ?? '/usr/sbin/haproxy';
const UP_DEADLINE_MS = 10_000;
const STOP_DEADLINE_MS = 5_000;

export class BareHaproxyError extends CodedError<'HAPROXY_MISSING' | 'HAPROXY_START'> {}

export interface BareHaproxy {
  pid: number;
  port: number;
  close(): Promise<void>;
}

export function bareConfig(listenPort: number, backendPort: number): string {
  return [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 3s',
    '  timeout client 60s',
    '  timeout server 60s',
    'frontend bench',
    `  bind 127.0.0.1:${listenPort}`,
    '  default_backend origin',
    'backend origin',
    `  server s1 127.0.0.1:${backendPort}`,
    '',
  ].join('\n');
}

/** Starts it on `listenPort` in front of 127.0.0.1:`backendPort`; resolves once it accepts connections. */
export async function startBareHaproxy(listenPort: number, backendPort: number): Promise<BareHaproxy> {
  if (!existsSync(HAPROXY))
    throw new BareHaproxyError('HAPROXY_MISSING', `${HAPROXY} not found: install Debian's haproxy (scripts/install-system-packages.sh)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-bench-haproxy-'));
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(cfg, bareConfig(listenPort, backendPort));
  // -db: stay in the foreground, one process (no master), so its pid is the whole engine.
  const proc = spawn(HAPROXY, ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const cut = setTimeout(() => proc.kill('SIGKILL'), STOP_DEADLINE_MS);
      await exited;
      clearTimeout(cut);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const end = Date.now() + UP_DEADLINE_MS;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) {
      await close();
      throw new BareHaproxyError('HAPROXY_START', `bare haproxy exited at start (${proc.exitCode ?? proc.signalCode}): ${stderr.trim()}`);
    }
    if (await answers(listenPort)) return { pid: proc.pid, port: listenPort, close };
    if (Date.now() > end) {
      await close();
      throw new BareHaproxyError(
        'HAPROXY_START',
        `bare haproxy not accepting on ${listenPort} within ${UP_DEADLINE_MS} ms: ${stderr.trim()}`,
      );
    }
    await sleep(50);
  }
}
