/** A dev chain in-process (the test kit's), grid fixtures made through @tfgrid/client, and an explorer over a temp database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, TFT, type NodeInput, type TfchainClient } from '@tfgrid/client';
import type { Devchain } from '@tfgrid/devchain';
import { ensureTwin, GiB, LOCATION } from '@tfgrid/testkit';
import type { Explorer } from '../src';

export { GiB };

export const nodeInput = (farmId: number, over: Partial<NodeInput> = {}): NodeInput => ({
  farmId,
  resources: { hru: 0, sru: 500 * GiB, cru: 4, mru: 8 * GiB },
  location: LOCATION,
  interfaces: [{ name: 'zos', mac: '00:11:22:33:44:55', ips: ['10.2.0.5'] }],
  serialNumber: 'SN-0001',
  ...over,
});

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'explorer-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A client with a twin (the test kit's, relay relay.dev.grid.tf), funded from //Alice when it is not a dev account. */
export async function twinClient(chain: Devchain, secret: string, alice?: TfchainClient, keyType?: 'ed25519'): Promise<TfchainClient> {
  const c = await connect({ url: chain.url, secret, keyType });
  if (alice) await alice.balances.transfer({ to: c.address, amount: 100n * TFT });
  await ensureTwin(c, { relay: 'relay.dev.grid.tf' });
  return c;
}

export async function finalizedHeight(c: TfchainClient): Promise<number> {
  return (await c.api.rpc.chain.getHeader(await c.api.rpc.chain.getFinalizedHead())).number.toNumber();
}

/** Waits until the explorer has indexed everything finalized now. */
export async function synced(explorer: Explorer, c: TfchainClient): Promise<void> {
  await explorer.indexer.waitFor(await finalizedHeight(c));
}

export async function get<T = unknown>(
  explorer: Explorer,
  url: string,
): Promise<{ status: number; body: T; headers: Record<string, unknown> }> {
  // Over the socket: fastify's inject pulls an ESM-only dependency (cookie) the CommonJS test runner cannot load.
  const r = await fetch(explorer.url + url);
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (metrics, the Swagger page)
  }
  return { status: r.status, body: body as T, headers: Object.fromEntries(r.headers.entries()) };
}

/** The chain's clock (unix s): the uptime report's timestamp hint after a time travel. */
export async function chainNow(c: TfchainClient): Promise<number> {
  return Math.floor(Number((await c.api.query.timestamp.now()).toString()) / 1000);
}
