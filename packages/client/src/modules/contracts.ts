/** Smart contracts for IT: node, name and rent contracts, their billing and the node's usage reports. */
import { stringToU8a } from '@polkadot/util';
import type { ModuleContext, ReadOptions } from './context';
import { eventArg, prim, readEntry, unwrap, storageItem } from './context';
import type { SubmitOptions } from '../tx/types';
import {
  decodeBillingInfo,
  decodeContract,
  decodeContractResources,
  type BillingInfo,
  type Contract,
  type NruReport,
  type Resources,
} from '../chain';

/** The 32 ASCII bytes of an MD5 hex digest (the grid's convention), or 0x-hex of 32 bytes. */
function hashBytes(hash: string): Uint8Array | string {
  return hash.startsWith('0x') ? hash : stringToU8a(hash);
}

export function contracts(ctx: ModuleContext) {
  const { api } = ctx;
  const createdId = (r: Awaited<ReturnType<ModuleContext['send']>>): number =>
    decodeContract(eventArg(r, 'smartContractModule.ContractCreated')).id;
  return {
    /** Creates a node contract; `hash` is the deployment's hash (32 characters). Answers the contract id. */
    async createNode(
      input: { nodeId: number; hash: string; data?: string; publicIps?: number; solutionProviderId?: number | null },
      opts?: SubmitOptions,
    ): Promise<number> {
      const tx = api.tx.smartContractModule.createNodeContract(
        input.nodeId,
        hashBytes(input.hash),
        input.data ?? '',
        input.publicIps ?? 0,
        input.solutionProviderId ?? null,
      );
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
      return readEntry(api, o.at, 'smartContractModule', 'contracts', id, decodeContract);
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
      const id = prim<number>(
        await (
          await storageItem(api, o.at, 'smartContractModule', 'contractIDByNodeIDAndHash')
        )(nodeId, hashBytes(hash)),
      );
      return id === 0 ? undefined : id;
    },
    async idByName(name: string, o: ReadOptions = {}): Promise<number | undefined> {
      const id = prim<number>(await (await storageItem(api, o.at, 'smartContractModule', 'contractIDByNameRegistration'))(name));
      return id === 0 ? undefined : id;
    },
    async billingInfo(id: number, o: ReadOptions = {}): Promise<BillingInfo> {
      return decodeBillingInfo(
        (await (await storageItem(api, o.at, 'smartContractModule', 'contractBillingInformationByID'))(id)).toJSON(),
      );
    },
    /** The resources a node last reported for a contract (zeros when none). */
    async resources(id: number, o: ReadOptions = {}): Promise<Resources> {
      return decodeContractResources((await (await storageItem(api, o.at, 'smartContractModule', 'nodeContractResources'))(id)).toJSON())
        .used;
    },
  };
}
export type ContractsModule = ReturnType<typeof contracts>;
