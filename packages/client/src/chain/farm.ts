/** TFChain's farm structs (`tfchain_support::types::Farm`, its public IPs and policy limits) and their decoders. */
import { fieldsOf, listOf, num, optionalNum, text, variant } from './json';

export interface PublicIp {
  /** CIDR, e.g. 185.206.122.33/24. */
  ip: string;
  gateway: string;
  /** The contract using it; 0 when free. */
  contractId: number;
}

export type FarmCertification = 'NotCertified' | 'Gold';

export interface Farm {
  id: number;
  name: string;
  twinId: number;
  pricingPolicyId: number;
  certification: FarmCertification;
  dedicated: boolean;
  publicIps: PublicIp[];
}

/** The limits the council attaches to a farm with a farming policy (`FarmingPolicyLimit`); the chain's field names. */
export interface FarmingPolicyLimit {
  farmingPolicyId: number;
  cu: number | null;
  su: number | null;
  end: number | null;
  nodeCount: number | null;
  nodeCertification: boolean;
}

export const decodeFarmCertification = (v: unknown): FarmCertification => (variant(v) === 'Gold' ? 'Gold' : 'NotCertified');

export function decodePublicIps(v: unknown): PublicIp[] {
  return listOf(v).map((x) => {
    const p = fieldsOf(x);
    return { ip: text(p.ip), gateway: text(p.gateway), contractId: num(p.contractId) };
  });
}

export function decodeFarm(v: unknown): Farm {
  const f = fieldsOf(v);
  return {
    id: num(f.id),
    name: text(f.name),
    twinId: num(f.twinId),
    pricingPolicyId: num(f.pricingPolicyId),
    certification: decodeFarmCertification(f.certification),
    dedicated: Boolean(f.dedicatedFarm),
    publicIps: decodePublicIps(f.publicIps),
  };
}

/** `Option<FarmingPolicyLimit>`: null for `None`. */
export function decodeFarmingPolicyLimit(v: unknown): FarmingPolicyLimit | null {
  if (v == null) return null;
  const l = fieldsOf(v);
  return {
    farmingPolicyId: num(l.farmingPolicyId),
    cu: optionalNum(l.cu),
    su: optionalNum(l.su),
    end: optionalNum(l.end),
    nodeCount: optionalNum(l.nodeCount),
    nodeCertification: Boolean(l.nodeCertification),
  };
}
