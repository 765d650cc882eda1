/**
 * Chain setups tests repeat: a dev chain on a free port, a farmer with a twin and a farm, a node
 * registered as the agent registers one (its own ed25519 key, a twin, the node), a deployer twin,
 * and all of the first two with //Alice's client as one grid that stops as one.
 */
import { startDevchain, type Devchain, type DevchainOptions } from '@tfgrid/devchain';
import {
  connect,
  GiB,
  keyFromSecret,
  nodeBoxKeyPair,
  TERMS_LINK,
  TFT,
  type KeyringPair,
  type Resources,
  type TfchainClient,
} from '@tfgrid/client';

/** The terms every test twin accepts before it is created. */
export const TERMS = { documentLink: TERMS_LINK, documentHash: 'abc123' };
/** The client's GiB, here too since tests size their nodes with it. */
export { GiB };
/** Where test nodes say they are. */
export const LOCATION = { city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: '3.72' };

/** An in-process dev chain serving WebSocket and HTTP JSON-RPC on a free loopback port (`chain.url`). */
export function startChain(o: DevchainOptions = {}): Promise<Devchain> {
  return startDevchain({ port: 0, ...o });
}

const u8aToHex = (b: Uint8Array): string => '0x' + Buffer.from(b).toString('hex');

/** A twin for `client` (terms accepted first); the existing one if it has one. */
export async function ensureTwin(client: TfchainClient, o: { relay?: string | null; pk?: string } = {}): Promise<number> {
  await client.twins.acceptTerms(TERMS);
  return (await client.twins.idOf(client.address!)) ?? (await client.twins.create(o));
}

export interface Farmer {
  client: TfchainClient;
  twinId: number;
  farmId: number;
}

/** A farmer (`secret`, a prefunded dev account by default) with a twin and a farm `name` (reused if it exists). */
export async function setupFarmer(url: string, o: { secret?: string; name?: string; relay?: string | null } = {}): Promise<Farmer> {
  const client = await connect({ url, secret: o.secret ?? '//Bob' });
  const twinId = await ensureTwin(client, { relay: o.relay === undefined ? 'relay.dev.grid.tf' : o.relay });
  const name = o.name ?? 'test_farm';
  const farmId = (await client.farms.idByName(name)) ?? (await client.farms.create({ name }));
  return { client, twinId, farmId };
}

export interface RegisteredNode {
  client: TfchainClient;
  twinId: number;
  nodeId: number;
}

export interface NodeSetup {
  farmId: number;
  /** Pays the node's account (`//Alice`'s client in most tests). */
  funder: TfchainClient;
  /** The node's ed25519 secret: a dev path (`//Name`) or a 32-byte hex seed; a random seed by default. */
  secret?: string;
  funds?: bigint;
  resources?: Resources;
  interfaces?: { name: string; mac: string; ips: string[] }[];
  relay?: string | null;
  /** Publish the node's box key (derived from the hex seed) on its twin, as the agent does. */
  publishBoxKey?: boolean;
}

/** A node registered straight through the client (no agent): a funded ed25519 account, a twin, the node. */
export async function registerNode(url: string, o: NodeSetup): Promise<RegisteredNode> {
  const secret = o.secret ?? u8aToHex(crypto.getRandomValues(new Uint8Array(32)));
  const client = await connect({ url, secret, keyType: 'ed25519' });
  await o.funder.balances.transfer({ to: client.address!, amount: o.funds ?? 1000n * TFT });
  const pk = o.publishBoxKey ? u8aToHex(nodeBoxKeyPair(hexSeed(secret)).publicKey) : undefined;
  const twinId = await ensureTwin(client, { ...(o.relay !== undefined ? { relay: o.relay } : {}), ...(pk ? { pk } : {}) });
  const nodeId = await client.nodes.create({
    farmId: o.farmId,
    resources: o.resources ?? { cru: 4, mru: 8 * GiB, sru: 200 * GiB, hru: 0 },
    location: LOCATION,
    interfaces: o.interfaces ?? [],
  });
  return { client, twinId, nodeId };
}

function hexSeed(secret: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{64}$/.test(secret)) throw new Error('publishBoxKey needs the node secret as a 32-byte hex seed');
  return Uint8Array.from(Buffer.from(secret.slice(2), 'hex'));
}

export interface DeployerTwin {
  client: TfchainClient;
  pair: KeyringPair;
  twinId: number;
}

/** A deployer: an sr25519 account `secret` funded by `funder`, with a twin (terms accepted). */
export async function setupDeployer(
  url: string,
  funder: TfchainClient,
  secret: string,
  o: { funds?: bigint; relay?: string | null } = {},
): Promise<DeployerTwin> {
  const pair = keyFromSecret(secret);
  await funder.balances.transfer({ to: pair.address, amount: o.funds ?? 1000n * TFT });
  const client = await connect({ url, secret });
  const twinId = await ensureTwin(client, { relay: o.relay ?? null });
  return { client, pair, twinId };
}

/** Anything a grid disconnects when it stops (a client, a deployer). */
export interface Disconnects {
  disconnect(): Promise<void>;
}

export interface Grid {
  /** The chain; a test that restarts it sets the new one here so that `stop` stops that one. */
  chain: Devchain;
  /** //Alice's client: the prefunded account tests pay from. */
  alice: TfchainClient;
  farmer: Farmer;
  /** Keeps `c` to be disconnected by `stop` (after Alice's and the farmer's clients); answers it. */
  track<C extends Disconnects>(c: C): C;
  /** Disconnects the clients in the order they came, then stops the chain. */
  stop(): Promise<void>;
}

/**
 * A dev chain (`o.chain`), //Alice's client and a farmer with a farm (`o.farmer`). If a step fails,
 * what was started is stopped before the error is thrown.
 */
export async function startGrid(o: { chain?: DevchainOptions; farmer?: Parameters<typeof setupFarmer>[1] } = {}): Promise<Grid> {
  const clients: Disconnects[] = [];
  const track = <C extends Disconnects>(c: C): C => (clients.push(c), c);
  const partial: { chain: Devchain } = { chain: await startChain(o.chain) };
  const stop = async (): Promise<void> => {
    for (const c of clients.splice(0)) await c.disconnect();
    await partial.chain.stop();
  };
  try {
    const alice = track(await connect({ url: partial.chain.url, secret: '//Alice' }));
    const farmer = await setupFarmer(partial.chain.url, o.farmer);
    track(farmer.client);
    return Object.assign(partial, { alice, farmer, track, stop });
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}
