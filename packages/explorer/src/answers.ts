/**
 * The explorer's answers as the JSON its routes send (the TypeBox schemas in `api/` are what the
 * routes validate and serialize with; `test/answer-types.test.ts` checks these types against
 * them). Types only and no imports, so the web page (built by Vite, with DOM types) and the CLI
 * read the same shapes.
 */

/** `{cru, sru, hru, mru}` as the explorer sends it: logical cores and bytes (the client's `Resources`). */
export interface ExplorerCapacity {
  cru: number;
  sru: number;
  hru: number;
  mru: number;
}

export type ExplorerNodeStatus = 'up' | 'down' | 'standby';

/** One node of `/nodes` and `/nodes/:id` (grid-proxy's fields, and the explorer's own). */
export interface ExplorerNode {
  id: string;
  nodeId: number;
  farmId: number;
  farmName: string;
  twinId: number;
  country: string;
  city: string;
  gridVersion: number;
  uptime: number;
  created: number;
  farmingPolicyId: number;
  updatedAt: number;
  total_resources: ExplorerCapacity;
  used_resources: ExplorerCapacity;
  free_resources: ExplorerCapacity;
  location: { country: string; city: string; region: string; longitude: number | null; latitude: number | null };
  publicConfig: { domain: string; gw4: string; gw6: string; ipv4: string; ipv6: string };
  status: ExplorerNodeStatus;
  certificationType: string;
  dedicated: boolean;
  inDedicatedFarm: boolean;
  rentContractId: number;
  rentedByTwinId: number;
  rented: boolean;
  rentable: boolean;
  serialNumber: string;
  power: { state: string; target: string };
  num_contracts: number;
  farm_free_ips: number;
  secureBoot: boolean;
  virtualized: boolean;
  /** `ips`: the interface's addresses joined by '/'. */
  interfaces: { name: string; mac: string; ips: string }[];
  num_gpu: number;
  gpus: { id: string; vendor: string; device: string; contract: number }[];
  extraFee: number;
  healthy: boolean;
  dmi: {
    bios: { vendor: string; version: string };
    baseboard: { manufacturer: string; product_name: string };
    processor: { version: string; thread_count: string }[];
    memory: { manufacturer: string; type: string }[];
  };
  speed: { upload: number; download: number };
  price_usd: number;
  features: string[];
  reputation: { last_24h: number; last_7d: number; last_30d: number };
}

/** A farm's public IPv4 address in `/farms`. */
export interface ExplorerPublicIp {
  id: string;
  ip: string;
  farm_id: number;
  contract_id: number;
  gateway: string;
}

/** One farm of `/farms`. */
export interface ExplorerFarm {
  name: string;
  farmId: number;
  twinId: number;
  pricingPolicyId: number;
  certificationType: string;
  stellarAddress: string;
  dedicated: boolean;
  publicIps: ExplorerPublicIp[];
}
