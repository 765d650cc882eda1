/** Opens an @polkadot/api connection that reconnects by itself and fails its requests fast on a drop. */
import { ApiPromise } from '@polkadot/api';
import { networkUrl, type NetworkName } from './networks';
import { LinkProvider } from './link/provider';

export interface ConnectionOptions {
  /** A WebSocket URL; or give `network`. */
  url?: string;
  /** A preset (`dev`, `devnet`, `qanet`, `testnet`, `mainnet`). */
  network?: NetworkName;
  /** Delay between reconnect attempts (default 1000 ms). */
  reconnectDelayMs?: number;
}

export function resolveUrl(o: ConnectionOptions): string {
  if (o.url) return o.url;
  if (o.network) return networkUrl(o.network);
  throw new Error('connect: give a url or a network');
}

/**
 * Connects and waits until metadata is loaded; the provider retries on its own if the link drops,
 * and every request caught by a drop rejects at once with a retryable LinkError (`LINK_DOWN`).
 */
export async function openApi(o: ConnectionOptions): Promise<{ api: ApiPromise; url: string }> {
  const url = resolveUrl(o);
  const provider = new LinkProvider(url, o.reconnectDelayMs ?? 1000);
  try {
    // TFChain registers no custom types: the metadata says everything.
    const api = await ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true });
    return { api, url };
  } catch (err) {
    await provider.disconnect().catch(() => undefined);
    throw err;
  }
}
