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
import { key } from '../db/keys';
import { num, twinOf } from './records';
import { applyEvent, policyOf, putContract, putFarm, putNode, putTwin, type BlockContext } from './handlers';
import type { WriteSet } from './writeset';

interface Json {
  toJSON(): unknown;
}
type Entries = [{ args: Json[] }, Json][];
type Item = ((...args: unknown[]) => Promise<Json>) & { entries(): Promise<Entries> };
type Row = { keys: unknown[]; value: unknown };

const record = (v: unknown) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null);

export async function importState(api: ApiPromise, hash: string, timestamp: number, w: WriteSet): Promise<number> {
  const at = await api.at(hash);
  const q = at.query as unknown as Record<string, Record<string, Item | undefined> | undefined>;
  // Items a runtime version lacks are skipped: an older chain simply has none of them.
  const rows = async (pallet: string, item: string): Promise<Row[]> => {
    const s = q[pallet]?.[item];
    if (!s) return [];
    return (await s.entries()).map(([k, v]) => ({ keys: k.args.map((a) => a.toJSON()), value: v.toJSON() })).filter((r) => r.value !== null);
  };
  const values = async (pallet: string, item: string) =>
    (await rows(pallet, item)).map((r) => record(r.value)).filter((v): v is Record<string, unknown> => v !== null);
  const plain = async (pallet: string, item: string): Promise<unknown> => {
    const s = q[pallet]?.[item];
    return s ? (await s()).toJSON() : null;
  };
  const ctx: BlockContext = { number: (await api.rpc.chain.getHeader(hash)).number.toNumber(), timestamp };
  let n = 0;
  const replay = async (name: string, data: unknown[]): Promise<void> => {
    if (await applyEvent(w, { name, data, eventIndex: 0 }, ctx)) n++;
  };

  for (const p of await values('tfgridModule', 'pricingPolicies')) (w.put('pricing', key(num(p.id)), policyOf(p)), n++);
  for (const p of await values('tfgridModule', 'farmingPoliciesMap')) (w.put('farming', key(num(p.id)), policyOf(p)), n++);
  for (const t of await values('tfgridModule', 'twins')) (await putTwin(w, twinOf(t)), n++);
  for (const r of await rows('tfgridModule', 'twinBoundedAccountID')) await replay('TfgridModule.TwinAccountBounded', [r.keys[0], r.value]);
  for (const e of await values('tfgridModule', 'entities')) await replay('TfgridModule.EntityStored', [e]);
  for (const f of await values('tfgridModule', 'farms')) (await putFarm(w, f), n++);
  for (const r of await rows('tfgridModule', 'farmPayoutV2AddressByFarmID')) {
    if (r.value !== '0x') await replay('TfgridModule.FarmPayoutV2AddressRegistered', [r.keys[0], r.value]);
  }
  for (const x of await values('tfgridModule', 'nodes')) (await putNode(w, x, num(x.created) || timestamp), n++);
  for (const r of await rows('tfgridModule', 'nodePower')) {
    const power = record(r.value);
    if (!power) continue;
    await replay('TfgridModule.PowerStateChanged', [null, r.keys[0], power.state]);
    await replay('TfgridModule.PowerTargetChanged', [null, r.keys[0], power.target]);
  }
  for (const r of await rows('smartContractModule', 'dedicatedNodesExtraFee')) {
    if (num(r.value) > 0) await replay('SmartContractModule.NodeExtraFeeSet', [r.keys[0], r.value]);
  }
  for (const c of await values('smartContractModule', 'contracts')) (await putContract(w, c, timestamp), n++);
  // After the contracts: the handler moves the node's used capacity by the contract's.
  for (const r of await values('smartContractModule', 'nodeContractResources')) await replay('SmartContractModule.UpdatedUsedResources', [r]);
  for (const p of await values('smartContractModule', 'solutionProviders')) await replay('SmartContractModule.SolutionProviderCreated', [p]);
  for (const s of await values('smartContractModule', 'serviceContracts')) await replay('SmartContractModule.ServiceContractCreated', [s]);
  const settings: [string, string, string][] = [
    ['smartContractModule', 'billingFrequency', 'SmartContractModule.BillingFrequencyChanged'],
    ['tfgridModule', 'zosVersion', 'TfgridModule.ZosVersionUpdated'],
    ['tfgridModule', 'connectionPrice', 'TfgridModule.ConnectionPriceSet'],
  ];
  for (const [pallet, item, event] of settings) {
    const v = await plain(pallet, item);
    if (v !== null && v !== '0x') await replay(event, [v]);
  }
  return n;
}
