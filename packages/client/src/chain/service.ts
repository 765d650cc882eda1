/** TFChain's service contracts and solution providers (`pallet_smart_contract::types`) and their decoders. */
import { fieldsOf, listOf, num, text, variant } from './json';

/** A contract between a service's twin and its consumer's (`ServiceContract`). */
export interface ServiceContract {
  serviceContractId: number;
  serviceTwinId: number;
  consumerTwinId: number;
  baseFee: number;
  variableFee: number;
  metadata: string;
  acceptedByService: boolean;
  acceptedByConsumer: boolean;
  lastBill: number;
  /** `Created`, `AgreementReady` or `ApprovedByBoth`. */
  state: string;
}

/** A solution provider (`SolutionProvider`): who takes which share of the contracts that name it. */
export interface SolutionProvider {
  solutionProviderId: number;
  providers: { who: string; take: number }[];
  description: string;
  link: string;
  approved: boolean;
}

export function decodeServiceContract(v: unknown): ServiceContract {
  const s = fieldsOf(v);
  return {
    serviceContractId: num(s.serviceContractId),
    serviceTwinId: num(s.serviceTwinId),
    consumerTwinId: num(s.consumerTwinId),
    baseFee: num(s.baseFee),
    variableFee: num(s.variableFee),
    metadata: text(s.metadata),
    acceptedByService: Boolean(s.acceptedByService),
    acceptedByConsumer: Boolean(s.acceptedByConsumer),
    lastBill: num(s.lastBill),
    state: variant(s.state),
  };
}

export function decodeSolutionProvider(v: unknown): SolutionProvider {
  const p = fieldsOf(v);
  return {
    solutionProviderId: num(p.solutionProviderId),
    providers: listOf(p.providers).map((x) => {
      const who = fieldsOf(x);
      return { who: String(who.who), take: num(who.take) };
    }),
    description: text(p.description),
    link: text(p.link),
    approved: Boolean(p.approved),
  };
}
