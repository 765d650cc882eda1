/** --base-path: the chain survives a restart, and a second spec cannot open another chain's data. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { DEFAULT_CHAIN_SPEC, loadChainSpec, startDevchain } from '../src';

jest.setTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'devchain-persist-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withApi<T>(url: string, f: (api: ApiPromise) => Promise<T>): Promise<T> {
  const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
  try {
    return await f(api);
  } finally {
    await api.disconnect();
  }
}

test('restart with the same base path keeps blocks and state and continues the chain', async () => {
  const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');
  const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
  const first = await startDevchain({ port: 0, basePath: dir });
  const { genesis, head, headHash, bobFree } = await withApi(first.url, async (api) => {
    await new Promise<void>((resolve, reject) => {
      api.tx.balances
        .transferKeepAlive(bob.address, 777_000n)
        .signAndSend(alice, (r) => {
          if (r.status.isFinalized) resolve();
        })
        .catch(reject);
    });
    const h = await api.rpc.chain.getHeader();
    const acc = (await api.query.system.account(bob.address)).toJSON() as { data: { free: number | string } };
    return { genesis: api.genesisHash.toHex(), head: h.number.toNumber(), headHash: h.hash.toHex(), bobFree: BigInt(acc.data.free) };
  });
  await first.stop();

  const second = await startDevchain({ port: 0, basePath: dir });
  try {
    await withApi(second.url, async (api) => {
      expect(api.genesisHash.toHex()).toBe(genesis);
      expect((await api.rpc.chain.getHeader()).number.toNumber()).toBe(head);
      expect((await api.rpc.chain.getBlockHash(head)).toHex()).toBe(headHash);
      const acc = (await api.query.system.account(bob.address)).toJSON() as { data: { free: number | string } };
      expect(BigInt(acc.data.free)).toBe(bobFree);
      // history from before the restart is still readable
      const older = (await api.rpc.chain.getBlockHash(head - 1)).toHex();
      const then = (await (await api.at(older)).query.system.account(bob.address)).toJSON() as { data: { free: number | string } };
      expect(BigInt(then.data.free)).toBe(bobFree - 777_000n);
      const next = await new Promise<number>((resolve, reject) => {
        api.tx.system
          .remark('0x00')
          .signAndSend(alice, (r) => {
            if (r.status.isInBlock) resolve(r.status.asInBlock.toHex() as unknown as number);
          })
          .catch(reject);
      });
      expect((await api.rpc.chain.getHeader(next as unknown as string)).number.toNumber()).toBe(head + 1);
    });
  } finally {
    await second.stop();
  }
});

test('a base path created by another chain spec is refused with a clear error', async () => {
  const spec = loadChainSpec(DEFAULT_CHAIN_SPEC);
  const other = { ...spec, genesis: { ...spec.genesis, balances: { balances: [['//Alice', '1000000000'] as [string, string]] } } };
  await expect(startDevchain({ port: 0, basePath: dir, chain: other })).rejects.toThrow(/another chain spec/);
});
