/**
 * State that exists without an event (genesis policies, twins, farms, nodes, contracts set in the
 * chain spec): read from storage at the block before the first indexed one, written with the
 * cursor of that block.
 */
import type { ApiPromise } from '@polkadot/api';
import { key } from '../db/keys';
import { num, twinOf } from './records';
import { policyOf, putContract, putFarm, putNode, putTwin } from './handlers';
import type { WriteSet } from './writeset';

type Entries = [unknown, { toJSON(): unknown }][];
const json = (v: { toJSON(): unknown }) => v.toJSON() as Record<string, unknown> | null;

export async function importState(api: ApiPromise, hash: string, timestamp: number, w: WriteSet): Promise<number> {
  const at = await api.at(hash);
  const q = at.query as unknown as Record<string, Record<string, { entries(): Promise<Entries> } | undefined> | undefined>;
  const entries = async (pallet: string, item: string): Promise<Record<string, unknown>[]> => {
    const s = q[pallet]?.[item];
    if (!s) return [];
    return (await s.entries()).map(([, v]) => json(v)).filter((v): v is Record<string, unknown> => v !== null);
  };
  let n = 0;
  for (const p of await entries('tfgridModule', 'pricingPolicies')) (w.put('pricing', key(num(p.id)), policyOf(p)), n++);
  for (const p of await entries('tfgridModule', 'farmingPoliciesMap')) (w.put('farming', key(num(p.id)), policyOf(p)), n++);
  for (const t of await entries('tfgridModule', 'twins')) (await putTwin(w, twinOf(t)), n++);
  for (const f of await entries('tfgridModule', 'farms')) (await putFarm(w, f), n++);
  for (const x of await entries('tfgridModule', 'nodes')) (await putNode(w, x, num(x.created) || timestamp), n++);
  for (const c of await entries('smartContractModule', 'contracts')) (await putContract(w, c, timestamp), n++);
  return n;
}
