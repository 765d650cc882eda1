/**
 * Test helpers for the events and deployment tests: send a transaction to finality, and create the
 * twins, farm and node a deployment needs (the dev chain's own test helpers are its internals).
 */
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { submit } from '@tfgrid/testkit';

export const TFT = 10_000_000n;

export async function connect(url: string): Promise<ApiPromise> {
  return ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });
}

export const pairOf = (uri: string, type: 'sr25519' | 'ed25519' = 'sr25519'): KeyringPair => new Keyring({ type }).addFromUri(uri);

/** Signs and sends; resolves with the block hash once finalized, rejects on refusal or a failed dispatch. */
export async function sendFinalized(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair): Promise<string> {
  const r = await submit(tx, signer, (x) => x.status.isFinalized);
  if (r.dispatchError) throw new Error(`${tx.method.section}.${tx.method.method} failed: ${r.dispatchError.toString()}`);
  return r.status.asFinalized.toHex();
}

export async function blockNumberOf(api: ApiPromise, hash: string): Promise<number> {
  return (await api.rpc.chain.getHeader(hash)).number.toNumber();
}

const opt = async (p: Promise<unknown>): Promise<number | undefined> => {
  const v = (await p) as { isSome: boolean; unwrap(): { toNumber(): number } };
  return v.isSome ? v.unwrap().toNumber() : undefined;
};

/** Funds `pair` from //Alice, accepts the terms and creates its twin (with `pk` if given). */
export async function setupTwin(api: ApiPromise, pair: KeyringPair, pk: string | null = null): Promise<number> {
  await sendFinalized(api, api.tx.balances.transferKeepAlive(pair.address, 1000n * TFT), pairOf('//Alice'));
  await sendFinalized(api, api.tx.tfgridModule.userAcceptTc('https://library.threefold.me/info/legal/#/', '1234567890abcdef'), pair);
  await sendFinalized(api, api.tx.tfgridModule.createTwin('relay.dev.grid.tf', pk), pair);
  return (await opt(api.query.tfgridModule.twinIdByAccountID(pair.address) as Promise<unknown>))!;
}

const GiB = 1024n ** 3n;

/** A farm of `farmer` and a node of `nodePair` (whose twin publishes `pk`); answers the node id. */
export async function setupNode(api: ApiPromise, farmer: KeyringPair, nodePair: KeyringPair, pk: string): Promise<number> {
  await setupTwin(api, farmer);
  await sendFinalized(api, api.tx.tfgridModule.createFarm('dpl-farm', []), farmer);
  const farmId = ((await api.query.tfgridModule.farmIdByName('dpl-farm')) as unknown as { toNumber(): number }).toNumber();
  const twinId = await setupTwin(api, nodePair, pk);
  await sendFinalized(
    api,
    api.tx.tfgridModule.createNode(
      farmId,
      { hru: 0n, sru: 500n * GiB, cru: 4n, mru: 8n * GiB },
      { city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: '3.72' },
      [{ name: 'zos', mac: '00:11:22:33:44:55', ips: ['10.2.0.5'] }],
      false,
      false,
      'SN-0001',
    ),
    nodePair,
  );
  return ((await api.query.tfgridModule.nodeIdByTwinID(twinId)) as unknown as { toNumber(): number }).toNumber();
}
