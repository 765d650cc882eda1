/** The finalized events the follower acts on, from the client's typed contract events. */
import { decodeEvent, type ChainEvent } from '@tfgrid/client';

export type ContractEvent =
  | { kind: 'node-contract'; contractId: number; twinId: number; nodeId: number; hash: string; created: boolean }
  | { kind: 'rent-contract'; contractId: number; twinId: number; nodeId: number }
  | { kind: 'name-contract'; contractId: number; twinId: number; name: string }
  | { kind: 'node-contract-canceled'; contractId: number; nodeId: number; twinId: number }
  | { kind: 'rent-contract-canceled'; contractId: number }
  | { kind: 'name-contract-canceled'; contractId: number }
  | { kind: 'grace-started'; contractId: number; nodeId: number; twinId: number }
  | { kind: 'grace-ended'; contractId: number; nodeId: number; twinId: number }
  | { kind: 'grace-elapsed'; contractId: number };

/** The contract event `e` is, or undefined for any other event. */
export function contractEvent(e: ChainEvent): ContractEvent | undefined {
  if (e.pallet !== 'SmartContractModule') return undefined;
  const ev = decodeEvent(e);
  switch (ev?.name) {
    case 'SmartContractModule.ContractCreated':
    case 'SmartContractModule.ContractUpdated': {
      const { id: contractId, twinId, type: t } = ev.contract;
      if (t.kind === 'node')
        return {
          kind: 'node-contract',
          contractId,
          twinId,
          nodeId: t.nodeId,
          hash: t.deploymentHash,
          created: ev.name === 'SmartContractModule.ContractCreated',
        };
      if (t.kind === 'rent') return { kind: 'rent-contract', contractId, twinId, nodeId: t.nodeId };
      return { kind: 'name-contract', contractId, twinId, name: t.name };
    }
    case 'SmartContractModule.NodeContractCanceled':
      return { kind: 'node-contract-canceled', contractId: ev.contractId, nodeId: ev.nodeId, twinId: ev.twinId };
    case 'SmartContractModule.RentContractCanceled':
      return { kind: 'rent-contract-canceled', contractId: ev.contractId };
    case 'SmartContractModule.NameContractCanceled':
      return { kind: 'name-contract-canceled', contractId: ev.contractId };
    case 'SmartContractModule.ContractGracePeriodStarted':
      return { kind: 'grace-started', contractId: ev.contractId, nodeId: ev.nodeId, twinId: ev.twinId };
    case 'SmartContractModule.ContractGracePeriodEnded':
      return { kind: 'grace-ended', contractId: ev.contractId, nodeId: ev.nodeId, twinId: ev.twinId };
    case 'SmartContractModule.ContractGracePeriodElapsed':
      return { kind: 'grace-elapsed', contractId: ev.contractId };
    default:
      return undefined;
  }
}
