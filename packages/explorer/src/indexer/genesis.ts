/**
 * State that exists without an event (genesis, or everything before a `--from` block): read from
 * storage at the block before the first indexed one, written with the cursor of that block.
 *
 * Each record is built from its storage struct; what the records otherwise learn from events only
 * (a contract's used resources, a node's power and extra fee, a twin's bonded account, a farm's
 * payout address, providers, service contracts, entities, the chain-wide settings) is replayed as
 * the event that would have recorded it, through the same handlers, so an imported chain and an
 * indexed one end in the same records. Not importable: what only an event's history holds (bills,
 * uptime reports, NRU reports).
 */
import type { ApiPromise } from '@polkadot/api';
import {
  chainJson,
  decodeContract,
  decodeContractResources,
  decodeEntity,
  decodeFarm,
  decodeFarmingPolicy,
  decodeNode,
  decodeNodePower,
  decodePricingPolicy,
  decodeServiceContract,
  decodeSolutionProvider,
  decodeTwin,
  type TfchainEvent,
} from '@tfgrid/client';
import { key } from '../db/keys';
import { twinRecord } from '../model/records';
import { applyDecoded, putContract, putFarm, putNode, putTwin, type BlockContext } from './handlers';
import type { WriteSet } from './writeset';

interface Json {
  toJSON(): unknown;
}
type Entries = [{ args: Json[] }, Json][];
type Item = ((...args: unknown[]) => Promise<Json>) & { entries(): Promise<Entries> };
/** A storage entry as chain JSON: its map keys and its value. */
type Row = { keys: unknown[]; value: unknown };

const { num, text } = chainJson;

export async function importState(api: ApiPromise, hash: string, timestamp: number, w: WriteSet): Promise<number> {
  const at = await api.at(hash);
  const q = at.query as unknown as Record<string, Record<string, Item | undefined> | undefined>;
  // Items a runtime version lacks are skipped: an older chain simply has none of them.
  const rows = async (pallet: string, item: string): Promise<Row[]> => {
    const s = q[pallet]?.[item];
    if (!s) return [];
    return (await s.entries())
      .map(([k, v]) => ({ keys: k.args.map((a) => a.toJSON()), value: v.toJSON() }))
      .filter((r) => r.value !== null);
  };
  const values = async <T>(pallet: string, item: string, decode: (v: unknown) => T): Promise<T[]> =>
    (await rows(pallet, item)).filter((r) => typeof r.value === 'object').map((r) => decode(r.value));
  const plain = async (pallet: string, item: string): Promise<unknown> => {
    const s = q[pallet]?.[item];
    return s ? (await s()).toJSON() : null;
  };
  const ctx: BlockContext = { number: (await api.rpc.chain.getHeader(hash)).number.toNumber(), timestamp };
  let n = 0;
  const replay = async (ev: TfchainEvent): Promise<void> => {
    if (await applyDecoded(w, ev, ctx, 0)) n++;
  };

  for (const p of await values('tfgridModule', 'pricingPolicies', decodePricingPolicy)) {
    w.put('pricing', key(p.id), p);
    n++;
  }
  for (const p of await values('tfgridModule', 'farmingPoliciesMap', decodeFarmingPolicy)) {
    w.put('farming', key(p.id), p);
    n++;
  }
  for (const t of await values('tfgridModule', 'twins', decodeTwin)) {
    await putTwin(w, twinRecord(t));
    n++;
  }
  for (const r of await rows('tfgridModule', 'twinBoundedAccountID'))
    await replay({ name: 'TfgridModule.TwinAccountBounded', twinId: num(r.keys[0]), account: String(r.value) });
  for (const entity of await values('tfgridModule', 'entities', decodeEntity)) await replay({ name: 'TfgridModule.EntityStored', entity });
  for (const f of await values('tfgridModule', 'farms', decodeFarm)) {
    await putFarm(w, f);
    n++;
  }
  for (const r of await rows('tfgridModule', 'farmPayoutV2AddressByFarmID')) {
    if (r.value !== '0x')
      await replay({ name: 'TfgridModule.FarmPayoutV2AddressRegistered', farmId: num(r.keys[0]), stellarAddress: text(r.value) });
  }
  for (const x of await values('tfgridModule', 'nodes', decodeNode)) {
    await putNode(w, x, x.created || timestamp);
    n++;
  }
  for (const r of await rows('tfgridModule', 'nodePower')) {
    if (typeof r.value !== 'object') continue;
    const nodeId = num(r.keys[0]);
    const power = decodeNodePower(r.value);
    await replay({ name: 'TfgridModule.PowerStateChanged', farmId: 0, nodeId, state: power.state, downSince: power.downSince ?? null });
    await replay({ name: 'TfgridModule.PowerTargetChanged', farmId: 0, nodeId, target: power.target });
  }
  for (const r of await rows('smartContractModule', 'dedicatedNodesExtraFee')) {
    if (num(r.value) > 0) await replay({ name: 'SmartContractModule.NodeExtraFeeSet', nodeId: num(r.keys[0]), extraFee: num(r.value) });
  }
  for (const c of await values('smartContractModule', 'contracts', decodeContract)) {
    await putContract(w, c, timestamp);
    n++;
  }
  // After the contracts: the handler moves the node's used capacity by the contract's.
  for (const r of await values('smartContractModule', 'nodeContractResources', decodeContractResources))
    await replay({ name: 'SmartContractModule.UpdatedUsedResources', ...r });
  for (const provider of await values('smartContractModule', 'solutionProviders', decodeSolutionProvider))
    await replay({ name: 'SmartContractModule.SolutionProviderCreated', provider });
  for (const serviceContract of await values('smartContractModule', 'serviceContracts', decodeServiceContract))
    await replay({ name: 'SmartContractModule.ServiceContractCreated', serviceContract });
  const billingFrequency = await plain('smartContractModule', 'billingFrequency');
  if (billingFrequency !== null) await replay({ name: 'SmartContractModule.BillingFrequencyChanged', frequency: num(billingFrequency) });
  const zosVersion = await plain('tfgridModule', 'zosVersion');
  if (zosVersion !== null && zosVersion !== '0x') await replay({ name: 'TfgridModule.ZosVersionUpdated', version: text(zosVersion) });
  const connectionPrice = await plain('tfgridModule', 'connectionPrice');
  if (connectionPrice !== null) await replay({ name: 'TfgridModule.ConnectionPriceSet', price: num(connectionPrice) });
  return n;
}
