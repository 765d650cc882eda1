/**
 * First-run setup on a dev chain, idempotent: //Alice (endowed in every dev genesis) accepts the
 * terms, gets a twin, creates the farm if absent, and funds the nodes' accounts when they run low.
 * Dev chains only: it signs with a well-known dev key. Shared by `npm start`, docker-compose's
 * agent entry point and the local grid.
 */
import { connect, TERMS_LINK, TFT, type PublicConfig, type TfchainClient } from '@tfgrid/client';

export const DEV_FUNDER = '//Alice';
const TERMS = { documentLink: TERMS_LINK, documentHash: 'tfgrid-terms-v1' };

export interface Bootstrap {
  farmId: number;
  farmCreated: boolean;
  /** Planck sent to the (last) node account that was low; 0 when none was. */
  funded: bigint;
}

/** Farm `farmName` owned by //Alice, and at least `minimum` TFT on each of `nodeAddresses`. */
export async function bootstrapDevFarm(
  chainUrl: string,
  farmName: string,
  nodeAddresses: string | string[],
  o: { minimum?: bigint; topUp?: bigint } = {},
): Promise<Bootstrap> {
  const alice: TfchainClient = await connect({ url: chainUrl, secret: DEV_FUNDER });
  try {
    let farmId = await alice.farms.idByName(farmName);
    const farmCreated = farmId === undefined;
    if (farmId === undefined) {
      if ((await alice.twins.termsAccepted(alice.address)).length === 0) await alice.twins.acceptTerms(TERMS);
      if ((await alice.twins.idOf(alice.address)) === undefined) await alice.twins.create();
      farmId = await alice.farms.create({ name: farmName });
    }
    const minimum = o.minimum ?? 10n * TFT;
    let funded = 0n;
    for (const address of typeof nodeAddresses === 'string' ? [nodeAddresses] : nodeAddresses) {
      const { free } = await alice.balances.get(address);
      if (free >= minimum) continue;
      funded = o.topUp ?? 1000n * TFT;
      await alice.balances.transfer({ to: address, amount: funded });
    }
    return { farmId, farmCreated, funded };
  } finally {
    await alice.disconnect();
  }
}

/** The node id registered by `address` (the node's own account), or undefined while it has none. */
export async function nodeIdOf(client: TfchainClient, address: string): Promise<number | undefined> {
  const twinId = await client.twins.idOf(address);
  return twinId === undefined ? undefined : client.nodes.idByTwin(twinId);
}

/** //Alice, the dev farm's owner, sets a node's public config (what deployers read as its endpoint) when it differs. */
export async function setDevPublicConfig(client: TfchainClient, farmId: number, nodeId: number, config: PublicConfig): Promise<void> {
  const now = (await client.nodes.get(nodeId))?.publicConfig ?? null;
  if (JSON.stringify(now) === JSON.stringify(config)) return;
  await client.nodes.setPublicConfig({ farmId, nodeId, config });
}

export interface FarmIp {
  /** CIDR, e.g. 198.18.200.200/24. */
  ip: string;
  gw: string;
}

/**
 * //Alice makes the farm's public IPs `pool`: adds those it lacks, and removes the free ones that
 * `stale` says belong to an earlier run (e.g. another subnet) but are not in the pool. IPs held by
 * a contract stay. Idempotent: a re-run on the same chain changes nothing.
 */
export async function syncDevFarmIps(client: TfchainClient, farmId: number, pool: FarmIp[], stale: (ip: string) => boolean): Promise<void> {
  const farm = await client.farms.get(farmId);
  if (!farm) throw new Error(`farm ${farmId} does not exist`);
  const wanted = new Set(pool.map((p) => p.ip));
  for (const p of farm.publicIps)
    if (p.contractId === 0 && stale(p.ip) && !wanted.has(p.ip)) await client.farms.removeIp({ farmId, ip: p.ip });
  const have = new Set(farm.publicIps.map((p) => p.ip));
  for (const p of pool) if (!have.has(p.ip)) await client.farms.addIp({ farmId, ip: p.ip, gw: p.gw });
}

/** Retries `f` until it succeeds or `signal` aborts (the chain may still be starting). */
export async function retryUntil<T>(f: () => Promise<T>, signal: AbortSignal, onError: (e: Error) => void, everyMs = 2000): Promise<T> {
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (signal.aborted) throw e;
      onError(e as Error);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}

/**
 * Waits (bounded) until the explorer lists the node as up, so that "running" means a
 * `tfgrid nodes find` run at once finds it. False when it did not within `timeoutMs`.
 */
export async function untilListed(explorerUrl: string, nodeId: number, signal: AbortSignal, timeoutMs = 60_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!signal.aborted && Date.now() < end) {
    try {
      const r = await fetch(`${explorerUrl}/nodes?node_id=${nodeId}&status=up`, { signal: AbortSignal.timeout(5000) });
      if (r.ok && ((await r.json()) as unknown[]).length > 0) return true;
    } catch {
      /* still starting: ask again */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}
