/** contracts list|show|update|cancel and name reserve|release: a deployer's contracts. */
import type { Contract, TfchainClient } from '@tfgrid/client';
import { str, type Command } from '../command';
import { chainLib, utilLib, type Context } from '../context';
import { CliFailure, UsageError } from '../errors';
import { fields, table } from '../io';
import { buildDeployment, readDeploymentFile } from '../deployfile';
import { formatSize, formatTft, parseIntArg } from '../units';
import { prepare, WAIT_OPTIONS, waitRunning } from './deploy';

/** The explorer's contract view (grid proxy names). */
interface ExplorerContract {
  contract_id: number;
  twin_id: number;
  state: string;
  created_at: number;
  type: string;
  details: { nodeId?: number; name?: string; deployment_hash?: string; number_of_public_ips?: number };
  resources_used?: { cru: number; mru: number; sru: number; hru: number };
  total_billed?: number;
}

const STATES = ['Created', 'GracePeriod', 'Deleted'];

async function myTwin(ctx: Context, c: TfchainClient): Promise<number> {
  const pair = await ctx.pair();
  const id = await c.twins.idOf(pair.address);
  if (id === undefined) throw new CliFailure(`${pair.address} has no twin, hence no contracts`, { kind: 'not-found' });
  return id;
}

const target = (k: Contract['type']): string => (k.kind === 'name' ? `name ${k.name}` : `node ${k.nodeId}`);

export const contractCommands: Command[] = [
  {
    name: 'contracts list',
    summary: "the signer's contracts (explorer API), live ones unless --state",
    options: {
      state: { type: 'string', value: 'STATES', help: 'Created, GracePeriod, Deleted, comma-separated, or all (default Created,GracePeriod)' },
      twin: { type: 'string', value: 'TWIN_ID', help: "another twin's contracts" },
    },
    async run(ctx, a) {
      const stateArg = str(a, 'state') ?? 'Created,GracePeriod';
      const states = stateArg === 'all' ? STATES : stateArg.split(',');
      const wrong = states.filter((s) => !STATES.includes(s));
      if (wrong.length) throw new UsageError(`--state must be among ${STATES.join(', ')} or all, got '${wrong.join(',')}'`, 'contracts list');
      const twin = str(a, 'twin') !== undefined ? parseIntArg(str(a, 'twin'), '--twin') : await myTwin(ctx, await ctx.client());
      ctx.progress(`asking ${ctx.explorerUrl}/contracts …`);
      const { body } = await ctx.explorer<ExplorerContract[]>('/contracts', { twin_id: twin, state: states.join(','), size: 1000 });
      const rows = body.map((x) => [x.contract_id, x.type, x.state, x.type === 'name' ? (x.details.name ?? '') : String(x.details.nodeId ?? ''), new Date(x.created_at * 1000).toISOString().slice(0, 19), x.total_billed === undefined ? '-' : formatTft(BigInt(Math.round(x.total_billed)))]);
      return { json: body, text: body.length ? table(['ID', 'TYPE', 'STATE', 'NODE/NAME', 'CREATED', 'BILLED TFT'], rows) : [`no contracts of twin ${twin} in state ${states.join(', ')}`] };
    },
  },
  {
    name: 'contracts show',
    summary: 'one contract: state, resources the node reports, billing (chain; explorer for deleted ones)',
    args: 'CONTRACT_ID',
    minArgs: 1,
    async run(ctx, a) {
      const id = parseIntArg(a.positionals[0], 'contract id');
      const c = await ctx.client();
      const k = await c.contracts.get(id);
      if (!k) {
        // The chain forgets deleted contracts; the explorer keeps them.
        let gone: ExplorerContract | undefined;
        try {
          gone = (await ctx.explorer<ExplorerContract>(`/contracts/${id}`)).body;
        } catch {
          throw new CliFailure(`there is no contract ${id} on the chain (deleted contracts are only in the explorer, which does not know it either)`, { kind: 'not-found', contractId: id });
        }
        return { json: { ...gone, source: 'explorer' }, text: fields({ contract: gone.contract_id, twin: gone.twin_id, type: gone.type, state: gone.state, details: gone.details, 'total billed TFT': formatTft(BigInt(Math.round(gone.total_billed ?? 0))) }) };
      }
      const [billing, resources] = await Promise.all([c.contracts.billingInfo(id), k.type.kind === 'node' ? c.contracts.resources(id) : undefined]);
      const out = { ...k, billing, resources: resources ?? null, source: 'chain' };
      return {
        json: out,
        text: fields({
          contract: k.id,
          twin: k.twinId,
          type: k.type.kind,
          on: target(k.type),
          state: `${k.state}${k.gracePeriodSince !== undefined ? ` since block ${k.gracePeriodSince}` : ''}${k.deletedCause ? ` (${k.deletedCause})` : ''}`,
          ...(k.type.kind === 'node' ? { hash: k.type.deploymentHash, 'public IPs': k.type.publicIpsList.map((p) => p.ip).join(', ') || 'none' } : {}),
          ...(resources ? { 'used (node report)': `${resources.cru} CPU, ${formatSize(resources.mru)} RAM, ${formatSize(resources.sru)} SSD, ${formatSize(resources.hru)} HDD` } : {}),
          'unbilled TFT': formatTft(billing.amountUnbilled),
          'last billed': `block ${billing.lastUpdated}`,
        }),
      };
    },
  },
  {
    name: 'contracts update',
    summary: "replace a node contract's deployment with the one in FILE",
    args: 'CONTRACT_ID FILE',
    minArgs: 2,
    options: { version: { type: 'string', value: 'N', help: 'deployment version (default: the time in unix seconds, so it grows)' }, ...WAIT_OPTIONS },
    async run(ctx, a) {
      const id = parseIntArg(a.positionals[0], 'contract id');
      const f = readDeploymentFile(a.positionals[1]!, ctx.io.cwd);
      const version = str(a, 'version') === undefined ? Math.floor(Date.now() / 1000) : parseIntArg(str(a, 'version'), '--version', 0);
      const c = await ctx.client(true);
      const k = await c.contracts.get(id);
      if (!k) throw new CliFailure(`there is no live contract ${id}`, { kind: 'not-found', contractId: id });
      if (k.type.kind !== 'node') throw new UsageError(`contract ${id} is a ${k.type.kind} contract: only node contracts carry a deployment`);
      const nodeId = k.type.nodeId;
      await buildDeployment(f, k.twinId, nodeId, version); // bad files fail before anything is sent
      const { prepared: p } = await prepare(ctx, c, f, nodeId, version);
      const api = c.api;
      const { notaryCalls } = await chainLib();
      const { stringToU8a } = utilLib();
      const calls = [...notaryCalls(api, p.sealed, nodeId, p.hash), api.tx.smartContractModule.updateNodeContract(id, stringToU8a(p.hash), f.contractData)];
      const r = await ctx.tx(`storing the new deployment and updating contract ${id}`, () => c.batch(calls));
      const resources = await waitRunning(ctx, c, id, nodeId, a);
      const out = { contractId: id, nodeId, hash: p.hash, version, block: r.blockNumber ?? null, resources };
      return { json: out, text: fields({ contract: id, node: nodeId, hash: p.hash, version }) };
    },
  },
  {
    name: 'contracts cancel',
    summary: 'cancel contracts (the node frees what they hold; billing stops)',
    args: 'CONTRACT_ID...',
    minArgs: 1,
    maxArgs: 100,
    async run(ctx, a) {
      const ids = a.positionals.map((p) => parseIntArg(p, 'contract id'));
      const c = await ctx.client(true);
      for (const id of ids) await ctx.tx(`canceling contract ${id}`, () => c.contracts.cancel(id));
      return { json: { canceled: ids }, text: ids.map((id) => `contract ${id} canceled`) };
    },
  },
  {
    name: 'name reserve',
    summary: 'reserve a gateway name (a name contract)',
    args: 'NAME',
    minArgs: 1,
    async run(ctx, a) {
      const name = a.positionals[0]!;
      if (!/^[a-z0-9_-]+$/.test(name)) throw new UsageError(`the name may hold only lowercase letters, digits, - and _, got '${name}'`, 'name reserve');
      const c = await ctx.client(true);
      const id = await ctx.tx(`reserving the name '${name}'`, () => c.contracts.createName(name));
      return { json: { name, contractId: id }, text: [`name '${name}' reserved: contract ${id}`] };
    },
  },
  {
    name: 'name release',
    summary: 'release a gateway name (cancels its name contract)',
    args: 'NAME',
    minArgs: 1,
    async run(ctx, a) {
      const name = a.positionals[0]!;
      const c = await ctx.client(true);
      const id = await c.contracts.idByName(name);
      if (id === undefined) throw new CliFailure(`the name '${name}' is not reserved`, { kind: 'not-found', name });
      await ctx.tx(`releasing the name '${name}' (contract ${id})`, () => c.contracts.cancel(id));
      return { json: { name, contractId: id }, text: [`name '${name}' released (contract ${id} canceled)`] };
    },
  },
];

