/**
 * The two chain lookups the gateway workload needs, behind a small interface so the handler
 * can be tested with a stub and runs unchanged against the dev chain or TFChain.
 */
import type { TfchainClient } from '@tfgrid/client';

export interface NameContractInfo {
  id: number;
  twinId: number;
  state: 'Created' | 'GracePeriod' | 'Deleted';
}

export interface GatewayChain {
  /** The domain of the node's public config, or null when it has none (not a gateway node). */
  nodeDomain(nodeId: number): Promise<string | null>;
  /** The name contract holding `name` (ContractIDByNameRegistration → Contracts), or undefined. */
  nameContract(name: string): Promise<NameContractInfo | undefined>;
}

/** The lookups over the client's typed modules (TfgridModule.Nodes, SmartContractModule storage). */
export function gatewayChain(client: Pick<TfchainClient, 'nodes' | 'contracts'>): GatewayChain {
  return {
    async nodeDomain(nodeId) {
      const node = await client.nodes.get(nodeId);
      const d = node?.publicConfig?.domain;
      return d ? d : null;
    },
    async nameContract(name) {
      const id = await client.contracts.idByName(name);
      if (id === undefined) return undefined;
      const c = await client.contracts.get(id);
      // The registration must point at a name contract for this very name.
      if (!c || c.type.kind !== 'name' || c.type.name !== name) return undefined;
      return { id: c.id, twinId: c.twinId, state: c.state };
    },
  };
}
