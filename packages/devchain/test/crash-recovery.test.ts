/** Killed with SIGKILL while sealing blocks, the node restarts from its last complete block. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

jest.setTimeout(90_000);
const BIN = path.resolve(__dirname, '../bin/devchain.js');

function start(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, '--base-path', dir, '--port', '0', '--block-time', '20'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"http":"(http:\/\/[^"]+)"/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result;
}

test('SIGKILL mid-run loses no complete block and the chain continues', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'devchain-crash-'));
  try {
    for (let round = 0; round < 3; round++) {
      const { child, url } = await start(dir);
      const before = parseInt((await rpc(url, 'chain_getHeader')).number, 16);
      // let it seal blocks every 20 ms, then kill it without warning at an arbitrary moment
      await new Promise((r) => setTimeout(r, 400 + round * 137));
      const seen = parseInt((await rpc(url, 'chain_getHeader')).number, 16);
      expect(seen).toBeGreaterThan(before);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;

      const again = await start(dir);
      try {
        const head = await rpc(again.url, 'chain_getHeader');
        const n = parseInt(head.number, 16);
        // every block up to the head is complete: header, body and state are all there
        expect(n).toBeGreaterThanOrEqual(before);
        const hash = await rpc(again.url, 'chain_getBlockHash', [n]);
        const block = await rpc(again.url, 'chain_getBlock', [hash]);
        expect(block.block.header.number).toBe(head.number);
        const parent = await rpc(again.url, 'chain_getHeader', [head.parentHash]);
        expect(parseInt(parent.number, 16)).toBe(n - 1);
        // System.Number at the head equals the head's number
        const numberKey = '0x26aa394eea5630e07c48ae0c9558cef702a5c1b19ab7a04f536c519aca4983ac';
        const stored = await rpc(again.url, 'state_getStorage', [numberKey, hash]);
        expect(Buffer.from(stored.slice(2), 'hex').readUInt32LE(0)).toBe(n);
        // and it keeps sealing on top
        await new Promise((r) => setTimeout(r, 200));
        expect(parseInt((await rpc(again.url, 'chain_getHeader')).number, 16)).toBeGreaterThan(n);
      } finally {
        const exited2 = new Promise((r) => again.child.once('exit', r));
        again.child.kill('SIGTERM');
        await exited2;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
