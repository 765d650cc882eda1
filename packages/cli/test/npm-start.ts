/**
 * `npm start`'s script as a child process for tests: a given data directory, free ports (0), the
 * agent on this machine's hardware or the fixture (see agentHardwareRoot); waits for "running"
 * and reads the URLs it prints; SIGINT stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { SERVER_FIXTURE } from '@tfgrid/testkit';
import { agentHardwareRoot, until } from './helpers';

export const ROOT = path.resolve(__dirname, '../../..');
const hardwareRoot = agentHardwareRoot();
const FIXTURE_ROOT = SERVER_FIXTURE;

export interface Started {
  child: ChildProcess;
  out: () => string;
  urls: { chain: string; explorer: string; metrics: string; images: string };
  nodeId: number;
}

export const startArgs = (dataDir: string): string[] => [
  '--import',
  'tsx',
  'scripts/start.ts',
  '--data-dir',
  dataDir,
  '--chain-port',
  '0',
  '--explorer-port',
  '0',
  '--agent-metrics-port',
  '0',
  '--images-port',
  '0',
];
export const startEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...(hardwareRoot ? { TFGRID_AGENT_ROOT: hardwareRoot } : {}),
});

/** `node scripts/start.ts ARGS` with `env`, resolved once it says it is running (within `timeoutMs`); `grab` reads its summary. */
async function runStart(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ child: ChildProcess; out: () => string; grab: (re: RegExp) => string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  try {
    await until('tfgrid is running', async () => out.includes('Ctrl-C stops everything') || child.exitCode !== null, timeoutMs, 200);
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${out}`, { cause: e });
  }
  return { child, out: () => out, grab: (re) => re.exec(out)![1]! };
}

/** Starts `scripts/start.ts` on `dataDir` (with `env` added to its environment) and resolves once it says it is running. */
export async function startSystem(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const { child, out, grab } = await runStart(startArgs(dataDir), { ...startEnv(), ...env }, 150_000);
  return {
    child,
    out,
    urls: {
      chain: grab(/chain RPC\s+(ws:\/\/\S+)/),
      explorer: grab(/explorer API\s+(http:\/\/\S+)/),
      metrics: grab(/agent metrics\s+(http:\/\/\S+)/),
      images: grab(/dev image\s+(http:\/\/\S+)/),
    },
    nodeId: Number(grab(/tfgrid is running — node (\d+)/)),
  };
}

export interface StartedGrid {
  child: ChildProcess;
  out: () => string;
  /** The CLI's loopback URLs; the bridge address (the chain's and the image server's in the namespaces). */
  urls: { chain: string; explorer: string; image: string; acmeRoot: string };
  bridgeIp: string;
}

/**
 * `npm start -- --nodes N --subnet K` on `dataDir` with the agent fixture's hardware (a node needs
 * 100 GiB the CI machine may not have); resolves once it says it is running.
 */
export async function startGridSystem(dataDir: string, nodes: number, subnet: number): Promise<StartedGrid> {
  const args = [
    ...startArgs(dataDir).filter((a, i, all) => a !== '--agent-metrics-port' && all[i - 1] !== '--agent-metrics-port'),
    '--nodes',
    String(nodes),
    '--subnet',
    String(subnet),
    '--log-level',
    'warn',
  ];
  const { child, out, grab } = await runStart(args, { ...startEnv(), TFGRID_AGENT_ROOT: FIXTURE_ROOT }, 240_000);
  return {
    child,
    out,
    urls: {
      chain: grab(/chain RPC\s+(ws:\/\/\S+)/),
      explorer: grab(/explorer API\s+(http:\/\/\S+)/),
      image: grab(/dev image\s+(http:\/\/\S+)/),
      acmeRoot: grab(/ACME root\s+(\S+)/),
    },
    bridgeIp: grab(/on bridge \S+ \(([\d.]+)\/24/),
  };
}

/** SIGINT, then the exit code (SIGKILL and a failure if it does not stop within 30 s). */
export async function interrupt(s: Pick<Started, 'child' | 'out'>): Promise<number | null> {
  if (s.child.exitCode !== null) return s.child.exitCode;
  const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
  s.child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 30_000)))]);
  clearTimeout(timer);
  if (code === 'hung') {
    s.child.kill('SIGKILL');
    throw new Error(`did not stop on SIGINT:\n${s.out()}`);
  }
  return code;
}

/** A free TCP port on 127.0.0.1. */
export { freePort } from './helpers';
