/**
 * Registration, idempotent: wait for funds, accept the terms, create or update the twin (its `pk`
 * is the sealing box public key), create the node or update it only when the chain differs.
 * What already exists is found by the node's account, so a restart never duplicates anything.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { readTwin, TERMS_LINK, TFT, type NodeInput, type TfchainClient } from '@tfgrid/client';
import { sleep } from './core/backoff';
import type { Identity } from './identity';

export { TERMS_LINK };
/** The hash given with the terms: MD5 hex of the link (1–50 of [A-Za-z0-9_-] as the chain asks). */
export const TERMS_HASH = createHash('md5').update(TERMS_LINK).digest('hex');
/** Free balance needed before registering (fees of terms, twin and node, with room): 1 TFT. */
export const MIN_BALANCE = TFT;

export interface RegistrationInput {
  /** The node as it should be on the chain (farm, resources, location, interfaces, ...). */
  node: NodeInput;
  relay?: string;
  minBalance?: bigint;
  /** Poll period while waiting for funds. */
  fundsPollMs?: number;
}

export interface Registration {
  twinId: number;
  nodeId: number;
  /** What this run changed on the chain. */
  actions: ('terms' | 'twin-created' | 'twin-updated' | 'node-created' | 'node-updated')[];
}

/** One pass; throws on chain errors (the caller retries with backoff). */
export async function register(
  client: TfchainClient,
  id: Identity,
  input: RegistrationInput,
  log: Logger,
  signal?: AbortSignal,
): Promise<Registration> {
  const actions: Registration['actions'] = [];
  await waitForFunds(client, id.address, input.minBalance ?? MIN_BALANCE, input.fundsPollMs ?? 10_000, log, signal);

  if ((await client.twins.termsAccepted(id.address)).length === 0) {
    await client.twins.acceptTerms({ documentLink: TERMS_LINK, documentHash: TERMS_HASH });
    actions.push('terms');
  }

  const relay = input.relay ?? null;
  let twinId = await client.twins.idOf(id.address);
  if (twinId === undefined) {
    twinId = await client.twins.create({ relay, pk: id.boxPublicKeyHex });
    actions.push('twin-created');
    log.info({ twinId }, 'twin created');
  } else {
    const twin = await readTwin(client.api, twinId);
    const stored = await client.twins.get(twinId);
    const pkOk = !!twin?.pk && Buffer.from(twin.pk).equals(Buffer.from(id.box.publicKey));
    if (!pkOk || (stored?.relay ?? null) !== relay) {
      await client.twins.update({ relay, pk: id.boxPublicKeyHex });
      actions.push('twin-updated');
      log.info({ twinId }, 'twin updated');
    }
  }

  let nodeId = await client.nodes.idByTwin(twinId);
  if (nodeId === undefined) {
    nodeId = await client.nodes.create(input.node);
    actions.push('node-created');
    log.info({ nodeId, farmId: input.node.farmId }, 'node created');
  } else {
    const onChain = await client.nodes.get(nodeId);
    const diff = onChain ? nodeDiff(onChain, input.node) : ['missing'];
    if (diff.length) {
      await client.nodes.update(nodeId, input.node);
      actions.push('node-updated');
      log.info({ nodeId, changed: diff }, 'node updated');
    }
  }
  return { twinId, nodeId, actions };
}

/** The fields where the chain's node differs from what this machine is. */
export function nodeDiff(onChain: NodeInput, wanted: NodeInput): string[] {
  const norm = (n: NodeInput) => ({
    farmId: n.farmId,
    resources: { cru: n.resources.cru, mru: n.resources.mru, sru: n.resources.sru, hru: n.resources.hru },
    location: { city: n.location.city, country: n.location.country, latitude: n.location.latitude, longitude: n.location.longitude },
    interfaces: n.interfaces.map((i) => ({ name: i.name, mac: i.mac.toLowerCase(), ips: [...i.ips] })),
    secureBoot: n.secureBoot ?? false,
    virtualized: n.virtualized ?? false,
    serialNumber: n.serialNumber ?? null,
  });
  const a = norm(onChain) as Record<string, unknown>;
  const b = norm(wanted) as Record<string, unknown>;
  return Object.keys(b).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

async function waitForFunds(
  client: TfchainClient,
  address: string,
  need: bigint,
  pollMs: number,
  log: Logger,
  signal?: AbortSignal,
): Promise<void> {
  let warned = false;
  for (;;) {
    const { free } = await client.balances.get(address);
    if (free >= need) return;
    if (!warned) {
      log.warn({ address, free: tft(free), needed: tft(need) }, `waiting for funds: send at least ${tft(need - free)} TFT to ${address}`);
      warned = true;
    }
    await sleep(pollMs, signal);
  }
}

const tft = (units: bigint): string => {
  const s = units.toString().padStart(8, '0');
  return `${s.slice(0, -7)}.${s.slice(-7)}`.replace(/\.?0+$/, '');
};
