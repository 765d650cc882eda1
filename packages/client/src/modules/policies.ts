/** Pricing policies (what capacity costs) and farming policies (what farmers earn). */
import type { ModuleContext, ReadOptions } from './context';
import { enumName, prim, unwrap, storageItem } from './context';
import type { FarmCertification } from './farms';
import type { NodeCertification } from './nodes';

export type Unit = 'Bytes' | 'Kilobytes' | 'Megabytes' | 'Gigabytes' | 'Terrabytes';
export interface Price {
  value: number;
  unit: Unit;
}

export interface PricingPolicy {
  id: number;
  name: string;
  su: Price;
  cu: Price;
  nu: Price;
  ipu: Price;
  uniqueName: Price;
  domainName: Price;
  foundationAccount: string;
  certifiedSalesAccount: string;
  discountForDedicationNodes: number;
}

export interface FarmingPolicy {
  id: number;
  name: string;
  cu: number;
  su: number;
  nu: number;
  ipv4: number;
  minimalUptime: number;
  policyCreated: number;
  policyEnd: number;
  immutable: boolean;
  default: boolean;
  nodeCertification: NodeCertification;
  farmCertification: FarmCertification;
}

const price = (p: { value: number; unit: unknown }): Price => ({ value: p.value, unit: enumName(p.unit) as Unit });

function farmingPolicy(f: FarmingPolicy): FarmingPolicy {
  return {
    id: f.id,
    name: f.name,
    cu: f.cu,
    su: f.su,
    nu: f.nu,
    ipv4: f.ipv4,
    minimalUptime: f.minimalUptime,
    policyCreated: f.policyCreated,
    policyEnd: f.policyEnd,
    immutable: f.immutable,
    default: f.default,
    nodeCertification: enumName(f.nodeCertification) as NodeCertification,
    farmCertification: enumName(f.farmCertification) as FarmCertification,
  };
}

export function policies(ctx: ModuleContext) {
  const { api } = ctx;
  return {
    async pricing(id: number, o: ReadOptions = {}): Promise<PricingPolicy | undefined> {
      const v = unwrap(await (await storageItem(api, o.at, 'tfgridModule', 'pricingPolicies'))(id));
      if (!v) return undefined;
      const p = prim<PricingPolicy>(v);
      return {
        id: p.id,
        name: p.name,
        su: price(p.su),
        cu: price(p.cu),
        nu: price(p.nu),
        ipu: price(p.ipu),
        uniqueName: price(p.uniqueName),
        domainName: price(p.domainName),
        foundationAccount: p.foundationAccount,
        certifiedSalesAccount: p.certifiedSalesAccount,
        discountForDedicationNodes: p.discountForDedicationNodes,
      };
    },
    async farming(id: number, o: ReadOptions = {}): Promise<FarmingPolicy | undefined> {
      const f = prim<FarmingPolicy>(await (await storageItem(api, o.at, 'tfgridModule', 'farmingPoliciesMap'))(id));
      return f.id === 0 ? undefined : farmingPolicy(f);
    },
    /** Every farming policy, by id. */
    async listFarming(o: ReadOptions = {}): Promise<FarmingPolicy[]> {
      const entries = await (await storageItem(api, o.at, 'tfgridModule', 'farmingPoliciesMap')).entries();
      return entries.map(([, v]) => farmingPolicy(prim<FarmingPolicy>(v))).sort((a, b) => a.id - b.id);
    },
  };
}
export type PoliciesModule = ReturnType<typeof policies>;
