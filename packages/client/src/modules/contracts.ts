/** Smart contracts for IT: node, name and rent contracts, their billing and the node's usage reports. */
import { stringToU8a, u8aToString } from '@polkadot/util';
import type { ModuleContext, ReadOptions } from './context';
import { enumName, eventData, prim, unwrap, storageItem } from './context';
import type { Resources } from './nodes';
import type { PublicIp } from './farms';
import type { SubmitOptions } from '../tx/types';

export type ContractState = 'Created' | 'GracePeriod' | 'Deleted';

export type ContractKind =
  | { kind: 'node'; nodeId: number; deploymentHash: string; deploymentData: string; publicIps: number; publicIpsList: PublicIp[] }
  | { kind: 'name'; name: string }
  | { kind: 'rent'; nodeId: number };

export interface Contract {
  id: number;
  twinId: number;
  state: ContractState;
  /** Block at which the grace period started (state GracePeriod). */
  gracePeriodSince?: number;
  /** Why it was deleted (state Deleted). */
  deletedCause?: 'CanceledByUser' | 'OutOfFunds' | 'CanceledByCollective';
  solutionProviderId: number | null;
  type: ContractKind;
}

export interface BillingInfo {
  previousNuReported: number;
  lastUpdated: number;
  amountUnbilled: bigint;
}

export interface NruReport {
  contractId: number;
  /** Unix seconds. */
  timestamp: number;
  /** Seconds covered. */
  window: number;
  /** Bytes of public traffic. */
  nru: number;
}

/** The 32 ASCII bytes of an MD5 hex digest (the grid's convention), or 0x-hex of 32 bytes. */
function hashBytes(hash: string): Uint8Array | string {
  return hash.startsWith('0x') ? hash : stringToU8a(hash);
}

interface RawContract {
  contractId: number;
  twinId: number;
  state: unknown;
  solutionProviderId: number | null;
  contractType: Record<string, Record<string, unknown>>;
}

function plainContract(raw: RawContract, hashCodec: Uint8Array | undefined): Contract {
  const state = enumName(raw.state) as ContractState;
  const value = typeof raw.state === 'object' ? Object.values(raw.state as object)[0] : undefined;
  const [key, body] = Object.entries(raw.contractType)[0]!;
  let type: ContractKind;
  if (key === 'nodeContract') {
    type = {
      kind: 'node',
      nodeId: body.nodeId as number,
      deploymentHash: hashCodec ? u8aToString(hashCodec) : String(body.deploymentHash),
      deploymentData: body.deploymentData as string,
      publicIps: body.publicIps as number,
      publicIpsList: (body.publicIpsList as PublicIp[]).map((p) => ({ ip: p.ip, gateway: p.gateway, contractId: p.contractId })),
    };
  } else if (key === 'nameContract') type = { kind: 'name', name: body.name as string };
  else type = { kind: 'rent', nodeId: body.nodeId as number };
  const c: Contract = { id: raw.contractId, twinId: raw.twinId, state, solutionProviderId: raw.solutionProviderId ?? null, type };
  if (state === 'GracePeriod') c.gracePeriodSince = value as number;
  if (state === 'Deleted') c.deletedCause = enumName(value) as Contract['deletedCause'];
  return c;
}

export function contracts(ctx: ModuleContext) {
  const { api } = ctx;
  const createdId = (r: Awaited<ReturnType<ModuleContext['send']>>): number =>
    (eventData(r, 'smartContractModule.ContractCreated')?.[0] as { contractId: number }).contractId;
  return {
    /** Creates a node contract; `hash` is the deployment's hash (32 characters). Answers the contract id. */
    async createNode(input: { nodeId: number; hash: string; data?: string; publicIps?: number; solutionProviderId?: number | null }, opts?: SubmitOptions): Promise<number> {
      const tx = api.tx.smartContractModule.createNodeContract(input.nodeId, hashBytes(input.hash), input.data ?? '', input.publicIps ?? 0, input.solutionProviderId ?? null);
      return createdId(await ctx.send(tx, opts));
    },
    async updateNode(input: { id: number; hash: string; data?: string }, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.smartContractModule.updateNodeContract(input.id, hashBytes(input.hash), input.data ?? ''), opts);
    },
    async createName(name: string, opts?: SubmitOptions): Promise<number> {
      return createdId(await ctx.send(api.tx.smartContractModule.createNameContract(name), opts));
    },
    async createRent(input: { nodeId: number; solutionProviderId?: number | null }, opts?: SubmitOptions): Promise<number> {
      return createdId(await ctx.send(api.tx.smartContractModule.createRentContract(input.nodeId, input.solutionProviderId ?? null), opts));
    },
    async cancel(id: number, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.smartContractModule.cancelContract(id), opts);
    },
    /** Signed by the node's twin: what each of its contracts uses now. */
    async reportResources(reports: { contractId: number; used: Resources }[], opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.smartContractModule.reportContractResources(reports), opts);
    },
    /** Signed by the node: public traffic per contract. */
    async addNruReports(reports: NruReport[], opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.smartContractModule.addNruReports(reports), opts);
    },
    async get(id: number, o: ReadOptions = {}): Promise<Contract | undefined> {
      const v = unwrap(await (await storageItem(api, o.at, 'smartContractModule', 'contracts'))(id));
      if (!v) return undefined;
      const node = (v as unknown as { contractType: { isNodeContract: boolean; asNodeContract: { deploymentHash: Uint8Array } } }).contractType;
      return plainContract(prim<RawContract>(v), node.isNodeContract ? node.asNodeContract.deploymentHash : undefined);
    },
    /** Ids of the live node contracts of a node. */
    async activeForNode(nodeId: number, o: ReadOptions = {}): Promise<number[]> {
      return prim<number[]>(await (await storageItem(api, o.at, 'smartContractModule', 'activeNodeContracts'))(nodeId));
    },
    async activeRentForNode(nodeId: number, o: ReadOptions = {}): Promise<number | undefined> {
      const v = unwrap(await (await storageItem(api, o.at, 'smartContractModule', 'activeRentContractForNode'))(nodeId));
      return v ? prim<number>(v) : undefined;
    },
    async idByNodeAndHash(nodeId: number, hash: string, o: ReadOptions = {}): Promise<number | undefined> {
      const id = prim<number>(await (await storageItem(api, o.at, 'smartContractModule', 'contractIDByNodeIDAndHash'))(nodeId, hashBytes(hash)));
      return id === 0 ? undefined : id;
    },
    async idByName(name: string, o: ReadOptions = {}): Promise<number | undefined> {
      const id = prim<number>(await (await storageItem(api, o.at, 'smartContractModule', 'contractIDByNameRegistration'))(name));
      return id === 0 ? undefined : id;
    },
    async billingInfo(id: number, o: ReadOptions = {}): Promise<BillingInfo> {
      const v = (await (await storageItem(api, o.at, 'smartContractModule', 'contractBillingInformationByID'))(id)) as unknown as {
        previousNuReported: { toNumber(): number };
        lastUpdated: { toNumber(): number };
        amountUnbilled: { toBigInt(): bigint };
      };
      return { previousNuReported: v.previousNuReported.toNumber(), lastUpdated: v.lastUpdated.toNumber(), amountUnbilled: v.amountUnbilled.toBigInt() };
    },
    /** The resources a node last reported for a contract (zeros when none). */
    async resources(id: number, o: ReadOptions = {}): Promise<Resources> {
      const r = prim<{ used: Resources }>(await (await storageItem(api, o.at, 'smartContractModule', 'nodeContractResources'))(id)).used;
      return { hru: Number(r.hru), sru: Number(r.sru), cru: Number(r.cru), mru: Number(r.mru) };
    },
  };
}
export type ContractsModule = ReturnType<typeof contracts>;
