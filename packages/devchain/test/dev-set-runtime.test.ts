/**
 * dev_setRuntime over the RPC: its refusals, that only a --dev node serves it, and an upgrade that
 * a restarted node (--base-path) still runs, with the metadata of blocks before it unchanged;
 * calls signed for the new runtime dispatch and their errors name the moved pallet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { RuntimeVersion } from '@polkadot/types/interfaces';
import { startDevchain, type Devchain } from '../src';

jest.setTimeout(60_000);

const dir = mkdtempSync(path.join(tmpdir(), 'devchain-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rpc(
  chain: Devchain,
  method: string,
  params: unknown[],
): Promise<{ result?: any; error?: { code: number; message: string } }> {
  const r = await fetch(chain.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await r.json()) as { result?: unknown; error?: { code: number; message: string } };
}

async function withApi<T>(chain: Devchain, f: (api: ApiPromise) => Promise<T>): Promise<T> {
  const api = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
  try {
    return await f(api);
  } finally {
    await api.disconnect();
  }
}

const indexOf = (api: ApiPromise, name: string): number =>
  api.runtimeMetadata.asLatest.pallets.find((p) => p.name.toString() === name)!.index.toNumber();

/** Sends and waits for inclusion; answers the names of the events and the dispatch error, if any. */
function send(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, who: KeyringPair): Promise<{ events: string[]; error?: string }> {
  return new Promise((resolve, reject) => {
    tx.signAndSend(who, (r) => {
      if (!r.status.isInBlock) return;
      const events = r.events.map(({ event }) => `${event.section}.${event.method}`);
      if (r.dispatchError?.isModule) {
        const m = api.registry.findMetaError(r.dispatchError.asModule);
        resolve({ events, error: `${m.section}.${m.name}` });
      } else resolve({ events });
    }).catch(reject);
  });
}

test('refusals name what is wrong; a node without --dev does not serve it', async () => {
  const chain = await startDevchain({ port: 0 });
  try {
    const bad = async (params: unknown[]) => (await rpc(chain, 'dev_setRuntime', params)).error;
    expect(await bad([{ specVersion: 1 }])).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/specVersion must be an integer above the current \d+/),
    });
    expect((await bad([{ pallets: { Nope: 3 } }]))?.message).toMatch(/the runtime has no pallet "Nope"/);
    expect((await bad([{ pallets: { Balances: 0 } }]))?.message).toMatch(
      /pallets System and Balances would both have index 0|pallets Balances and System would both have index 0/,
    );
    expect((await bad([{ pallets: { Balances: 256 } }]))?.message).toMatch(/index must be an integer from 0 to 255/);
    expect((await bad([{ pallets: { Balances: 'x' } }]))?.message).toMatch(/runtime.pallets.Balances must be a number/);
    expect((await bad([{ colour: 'red' }]))?.message).toMatch(/unsupported field\(s\): colour/);
    expect((await bad([[1]]))?.message).toMatch(/runtime must be an object/);
    const code = '0x' + Buffer.from(':code').toString('hex');
    expect((await rpc(chain, 'dev_setStorage', [[[code, '0x00']]])).error?.message).toMatch(/:code is changed by dev_setRuntime/);
    // Nothing was built by the refusals.
    expect((await rpc(chain, 'chain_getHeader', [])).result.number).toBe('0x0');
  } finally {
    await chain.stop();
  }
  const prod = await startDevchain({ port: 0, dev: false });
  try {
    expect((await rpc(prod, 'dev_setRuntime', [{}])).error?.code).toBe(-32601);
  } finally {
    await prod.stop();
  }
});

test('an upgrade survives a restart; old blocks keep their metadata; calls and errors follow the new indices', async () => {
  const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
  const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');
  const first = await startDevchain({ port: 0, basePath: dir });
  let before: { hash: string; spec: number; balances: number; tfgrid: number };
  let upgrade: { specVersion: number; pallets: Record<string, number>; codeBlock: { number: number; hash: string } };
  try {
    before = await withApi(first, async (api) => ({
      hash: (await api.rpc.chain.getHeader()).hash.toHex(),
      spec: api.runtimeVersion.specVersion.toNumber(),
      balances: indexOf(api, 'Balances'),
      tfgrid: indexOf(api, 'TfgridModule'),
    }));
    upgrade = (
      await rpc(first, 'dev_setRuntime', [
        { specVersion: before.spec + 10, pallets: { Balances: before.tfgrid, TfgridModule: before.balances } },
      ])
    ).result;
    expect(upgrade.specVersion).toBe(before.spec + 10);
    expect(upgrade.pallets).toMatchObject({ Balances: before.tfgrid, TfgridModule: before.balances });
  } finally {
    await first.stop();
  }

  const again = await startDevchain({ port: 0, basePath: dir });
  try {
    await withApi(again, async (api) => {
      expect(api.runtimeVersion.specVersion.toNumber()).toBe(before.spec + 10);
      expect(indexOf(api, 'Balances')).toBe(before.tfgrid);
      expect((api.consts.system.version as unknown as RuntimeVersion).specVersion.toNumber()).toBe(before.spec + 10);
      const old = await api.rpc.state.getMetadata(before.hash);
      expect(old.asLatest.pallets.find((p) => p.name.toString() === 'Balances')!.index.toNumber()).toBe(before.balances);
      expect((await api.rpc.state.getRuntimeVersion(before.hash)).specVersion.toNumber()).toBe(before.spec);
      // Core_version at a block answers for that block's runtime too.
      const core = api.createType(
        'RuntimeVersion',
        await api.rpc.state.call('Core_version', '0x', before.hash),
      ) as unknown as RuntimeVersion;
      expect(core.specVersion.toNumber()).toBe(before.spec);

      // A call encoded with the new indices dispatches; its events come under the moved pallets.
      const sent = await send(api, api.tx.balances.transferKeepAlive(bob.address, 1_000_000n), alice);
      expect(sent.error).toBeUndefined();
      expect(sent.events).toEqual(expect.arrayContaining(['balances.Transfer', 'system.ExtrinsicSuccess']));
      // A module error carries the moved pallet's index: Alice has no twin to update.
      const failed = await send(api, api.tx.tfgridModule.updateTwin('relay.dev.grid.tf', null), alice);
      expect(failed.error).toMatch(/^tfgridModule\./);
      expect(failed.events).toContain('system.ExtrinsicFailed');
    });
  } finally {
    await again.stop();
  }
});
