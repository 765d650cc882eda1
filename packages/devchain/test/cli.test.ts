/** The `devchain` command as a user runs it: help, flag errors, start, answer, stop on SIGTERM. */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

jest.setTimeout(60_000);
const BIN = path.resolve(__dirname, '../bin/devchain.js');

/** Runs `devchain <args>` until it prints its HTTP URL; `stop` sends SIGTERM and answers the exit code. */
async function startCli(...args: string[]): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"http":"(http:\/\/[^"]+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  const stop = (): Promise<number | null> => {
    child.kill('SIGTERM');
    return exited;
  };
  return { url, stop };
}

/** POSTs `body` as JSON to `url`; answers the parsed reply. */
const post = async (url: string, body: unknown): Promise<any> =>
  (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();

test('--help explains the flags', () => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  for (const flag of ['--dev', '--base-path', '--port', '--chain', '--block-time']) expect(r.stdout).toContain(flag);
});

test('a bad flag value is refused with a message naming it', () => {
  const r = spawnSync(process.execPath, [BIN, '--port', 'abc'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--port must be a whole number/);
  const u = spawnSync(process.execPath, [BIN, '--no-such-flag'], { encoding: 'utf8' });
  expect(u.status).toBe(2);
  expect(u.stderr).toMatch(/no-such-flag/);
  const limit = spawnSync(process.execPath, [BIN, '--rpc-max-batch-request-len', '0'], { encoding: 'utf8' });
  expect(limit.status).toBe(2);
  expect(limit.stderr).toMatch(/--rpc-max-batch-request-len must be a whole number from 1 to/);
});

test('without --dev no dev_* method is served, and the --rpc-* limits apply', async () => {
  const cli = await startCli('--port', '0', '--rpc-max-batch-request-len', '2', '--rpc-max-response-size', '1');
  try {
    const req = (id: number, method: string): object => ({ jsonrpc: '2.0', id, method, params: [] });
    expect((await post(cli.url, req(1, 'dev_newBlock'))).error.code).toBe(-32601);
    expect((await post(cli.url, req(2, 'rpc_methods'))).result.methods.filter((m: string) => m.startsWith('dev_'))).toEqual([]);
    expect(await post(cli.url, [req(3, 'system_health'), req(4, 'system_health'), req(5, 'system_health')])).toMatchObject({
      error: { code: -32010 },
      id: null,
    });
    expect(await post(cli.url, [req(6, 'system_health'), req(7, 'system_health')])).toHaveLength(2);
    // two metadata replies (~95 KB each in hex) fit in the 1 MiB response limit
    expect(await post(cli.url, [req(8, 'state_getMetadata'), req(9, 'state_getMetadata')])).toHaveLength(2);
  } finally {
    await cli.stop();
  }
});

test('a missing chain spec is a clear error', () => {
  const r = spawnSync(process.execPath, [BIN, '--dev', '--port', '0', '--chain', '/nonexistent/spec.json'], { encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/cannot read chain spec \/nonexistent\/spec.json/);
});

test('starts, serves JSON-RPC over HTTP and stops cleanly on SIGTERM', async () => {
  const { url, stop } = await startCli('--dev', '--port', '0', '--block-time', '200');
  const rpc = async (method: string, params: unknown[] = []): Promise<unknown> =>
    (await post(url, { jsonrpc: '2.0', id: 1, method, params })).result;
  expect(await rpc('system_chain')).toBe('Development');
  // interval sealing: blocks appear without transactions
  await new Promise((r) => setTimeout(r, 700));
  const header = (await rpc('chain_getHeader')) as { number: string };
  expect(parseInt(header.number, 16)).toBeGreaterThanOrEqual(2);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  expect(metrics).toMatch(/devchain_block_height\{status="best"\} \d+/);
  expect(await stop()).toBe(0);
});
