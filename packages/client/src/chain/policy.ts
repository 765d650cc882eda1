/** TFChain's pricing policies (what capacity costs) and farming policies (what farmers earn), with their decoders. */
import { fieldsOf, num, text, variant } from './json';
import { decodeFarmCertification, type FarmCertification } from './farm';
import { decodeNodeCertification, type NodeCertification } from './node';

export type Unit = 'Bytes' | 'Kilobytes' | 'Megabytes' | 'Gigabytes' | 'Terrabytes';
export interface Price {
  value: number;
  unit: Unit;
}

export interface PricingPolicy {
  version: number;
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
  version: number;
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

function price(v: unknown): Price {
  const p = fieldsOf(v);
  return { value: num(p.value), unit: variant(p.unit) as Unit };
}

export function decodePricingPolicy(v: unknown): PricingPolicy {
  const p = fieldsOf(v);
  return {
    version: num(p.version),
    id: num(p.id),
    name: text(p.name),
    su: price(p.su),
    cu: price(p.cu),
    nu: price(p.nu),
    ipu: price(p.ipu),
    uniqueName: price(p.uniqueName),
    domainName: price(p.domainName),
    foundationAccount: String(p.foundationAccount),
    certifiedSalesAccount: String(p.certifiedSalesAccount),
    discountForDedicationNodes: num(p.discountForDedicationNodes),
  };
}

export function decodeFarmingPolicy(v: unknown): FarmingPolicy {
  const f = fieldsOf(v);
  return {
    version: num(f.version),
    id: num(f.id),
    name: text(f.name),
    cu: num(f.cu),
    su: num(f.su),
    nu: num(f.nu),
    ipv4: num(f.ipv4),
    minimalUptime: num(f.minimalUptime),
    policyCreated: num(f.policyCreated),
    policyEnd: num(f.policyEnd),
    immutable: Boolean(f.immutable),
    default: Boolean(f.default),
    nodeCertification: decodeNodeCertification(f.nodeCertification),
    farmCertification: decodeFarmCertification(f.farmCertification),
  };
}
