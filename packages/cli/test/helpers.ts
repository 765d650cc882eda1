/** Test helpers: run the CLI in-process (fast) or through the real bin (the wire), capture output. */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { main } from '../src';
import { measure } from '@tfgrid/agent';
import { SERVER_FIXTURE, unmountUnder } from '@tfgrid/testkit';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the CLI's JSON output, checked field by field by the assertions
  json<T = any>(): T;
}

const result = (code: number, stdout: string, stderr: string): Run => ({
  code,
  stdout,
  stderr,
  json: () => JSON.parse(stdout),
});

/** main(argv, io) with captured streams. */
export async function cli(argv: string[], env: Record<string, string | undefined> = {}, cwd = process.cwd()): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env, cwd });
  return result(code, out, err);
}

export const BIN = path.resolve(__dirname, '../bin/tfgrid.js');

/** The real binary in a child process. */
export function bin(argv: string[], env: Record<string, string | undefined> = {}, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...argv],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: timeoutMs },
      (e, stdout, stderr) => {
        const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 1) : 0;
        resolve(result(code, stdout, stderr));
      },
    );
  });
}

/**
 * Where the agent under test reads its hardware: this machine when it can register as a node
 * (the chain asks for ≥ 100 GiB of SSD or HDD, ≥ 2 GiB of memory, a CPU), otherwise the agent's
 * "server" fixture tree — so the end-to-end tests also run on a CI machine with a small disk.
 */
export function agentHardwareRoot(): string | undefined {
  const GiB = 1024 ** 3;
  const t = measure('/').total;
  if ((t.sru >= 100 * GiB || t.hru >= 100 * GiB) && t.mru >= 2 * GiB && t.cru >= 1) return undefined;
  const fixture = SERVER_FIXTURE;
  process.stderr.write(
    `this machine cannot register as a node (cru ${t.cru}, mru ${t.mru}, sru ${t.sru}, hru ${t.hru} bytes): the agent reads ${fixture}\n`,
  );
  return fixture;
}

/** Waiting and free ports: the test kit's. */
export { freePort, until } from '@tfgrid/testkit';

/**
 * After a test's agent stopped, before `dir` is deleted: unmounts whatever it left mounted under
 * `dir` (an agent keeps volumes, zmounts and machine layers mounted across restarts; deepest first,
 * lazily when still busy — the agent tests' own helper) and deletes its node-local `bridge`, so the
 * test leaves nothing behind and the delete never reaches into a mounted filesystem.
 */
export async function cleanupAgentLeftovers(dir: string, bridge: string): Promise<void> {
  unmountUnder(dir);
  try {
    execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  } catch {
    /* never created (no machine started) */
  }
}
