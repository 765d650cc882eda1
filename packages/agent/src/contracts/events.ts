/** The finalized events the follower acts on, read from the client's plain event data. */
import type { ChainEvent } from '@tfgrid/client';

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

const hexText = (h: string): string => Buffer.from(h.replace(/^0x/, ''), 'hex').toString('utf8');

interface ContractJson {
  contractId: number;
  twinId: number;
  contractType: { nodeContract?: { nodeId: number; deploymentHash: string }; rentContract?: { nodeId: number }; nameContract?: { name: string } };
}

/** The contract event `e` is, or undefined for any other event. */
export function contractEvent(e: ChainEvent): ContractEvent | undefined {
  if (e.pallet !== 'SmartContractModule') return undefined;
  const d = e.data;
  const n = (i: number): number => Number(d[i]);
  switch (e.method) {
    case 'ContractCreated':
    case 'ContractUpdated': {
      const c = d[0] as ContractJson;
      const t = c.contractType;
      if (t.nodeContract)
        return { kind: 'node-contract', contractId: c.contractId, twinId: c.twinId, nodeId: t.nodeContract.nodeId, hash: hexText(t.nodeContract.deploymentHash), created: e.method === 'ContractCreated' };
      if (t.rentContract) return { kind: 'rent-contract', contractId: c.contractId, twinId: c.twinId, nodeId: t.rentContract.nodeId };
      if (t.nameContract) return { kind: 'name-contract', contractId: c.contractId, twinId: c.twinId, name: hexText(t.nameContract.name) };
      return undefined;
    }
    case 'NodeContractCanceled':
      return { kind: 'node-contract-canceled', contractId: n(0), nodeId: n(1), twinId: n(2) };
    case 'RentContractCanceled':
      return { kind: 'rent-contract-canceled', contractId: n(0) };
    case 'NameContractCanceled':
      return { kind: 'name-contract-canceled', contractId: n(0) };
    case 'ContractGracePeriodStarted':
      return { kind: 'grace-started', contractId: n(0), nodeId: n(1), twinId: n(2) };
    case 'ContractGracePeriodEnded':
      return { kind: 'grace-ended', contractId: n(0), nodeId: n(1), twinId: n(2) };
    case 'ContractGracePeriodElapsed':
      return { kind: 'grace-elapsed', contractId: n(0) };
    default:
      return undefined;
  }
}
