/** contracts list|show|update|cancel and name reserve|release: a deployer's contracts. */
import type { Contract, Deployment, DeploymentAnswer, TfchainClient } from '@tfgrid/client';
import type { ExplorerContract } from '@tfgrid/explorer';
import { str, type Command } from '../core/command';
import type { Context } from '../core/context';
import { CliFailure, UsageError } from '../core/errors';
import { fields, table } from '../core/io';
import { buildDeployment, readDeploymentFile } from '../core/deployfile';
import { formatSize, formatTft, parseIntArg } from '../core/units';
import { answerLines, checkNode, WAIT_OPTIONS, waitForNode } from './deploy';
import { listNetworks } from '../core/netstate';

/** A contract as an explorer's /contracts answers it (grid-proxy's names); a grid-proxy may leave out what it used and was billed. */
type ListedContract = Omit<ExplorerContract, 'resources_used' | 'total_billed'> &
  Partial<Pick<ExplorerContract, 'resources_used' | 'total_billed'>>;

const STATES = ['Created', 'GracePeriod', 'Deleted'];

async function myTwin(ctx: Context, c: TfchainClient): Promise<number> {
  const pair = await ctx.pair();
  const id = await c.twins.idOf(pair.address);
  if (id === undefined) throw new CliFailure(`${pair.address} has no twin, hence no contracts`, { kind: 'not-found' });
  return id;
}

/** A signing client when a key is given (the node's answer then opens), else a read-only one. */
async function clientForAnswers(ctx: Context): Promise<TfchainClient> {
  try {
    return await ctx.client(true);
  } catch (e) {
    if (e instanceof UsageError) return ctx.client(); // no (valid) key: nothing is signed here anyway
    throw e;
  }
}

/** The node's answer, or null (an unreadable one is said on stderr, not fatal: the contract is still shown). */
async function answerOf(ctx: Context, c: TfchainClient, id: number): Promise<DeploymentAnswer | null> {
  return c.deployments.result(id).catch((e: unknown) => {
    ctx.progress(`the node's answer for contract ${id} is unreadable: ${(e as Error).message}`);
    return null;
  });
}

/** What this CLI last sent on contract `id`, when a saved network holds it (a gateway's network is read from it). */
function sentDeployment(ctx: Context, id: number): Deployment | undefined {
  try {
    return listNetworks(ctx.io)
      .flatMap((n) => n.contracts)
      .find((k) => k.contractId === id)?.deployment;
  } catch {
    return undefined; // no saved networks to read: the answer alone is printed
  }
}

const target = (k: Contract['type']): string => (k.kind === 'name' ? `name ${k.name}` : `node ${k.nodeId}`);

export const contractCommands: Command[] = [
  {
    name: 'contracts list',
    summary: "the signer's contracts (explorer API), live ones unless --state",
    options: {
      state: {
        type: 'string',
        value: 'STATES',
        help: 'Created, GracePeriod, Deleted, comma-separated, or all (default Created,GracePeriod)',
      },
      twin: { type: 'string', value: 'TWIN_ID', help: "another twin's contracts" },
    },
    async run(ctx, a) {
      const stateArg = str(a, 'state') ?? 'Created,GracePeriod';
      const states = stateArg === 'all' ? STATES : stateArg.split(',');
      const wrong = states.filter((s) => !STATES.includes(s));
      if (wrong.length)
        throw new UsageError(`--state must be among ${STATES.join(', ')} or all, got '${wrong.join(',')}'`, 'contracts list');
      const twin = str(a, 'twin') !== undefined ? parseIntArg(str(a, 'twin'), '--twin') : await myTwin(ctx, await ctx.client());
      ctx.progress(`asking ${ctx.explorerUrl}/contracts …`);
      const { body } = await ctx.explorer<ListedContract[]>('/contracts', { twin_id: twin, state: states.join(','), size: 1000 });
      const rows = body.map((x) => [
        x.contract_id,
        x.type,
        x.state,
        x.type === 'name' ? (x.details.name ?? '') : String(x.details.nodeId ?? ''),
        new Date(x.created_at * 1000).toISOString().slice(0, 19),
        x.total_billed === undefined ? '-' : formatTft(BigInt(Math.round(x.total_billed))),
      ]);
      return {
        json: body,
        text: body.length
          ? table(['ID', 'TYPE', 'STATE', 'NODE/NAME', 'CREATED', 'BILLED TFT'], rows)
          : [`no contracts of twin ${twin} in state ${states.join(', ')}`],
      };
    },
  },
  {
    name: 'contracts show',
    summary: "one contract: state, the node's answer (each workload's state, reason, addresses), resources, billing",
    args: 'CONTRACT_ID',
    minArgs: 1,
    async run(ctx, a) {
      const id = parseIntArg(a.positionals[0], 'contract id');
      const c = await clientForAnswers(ctx);
      const k = await c.contracts.get(id);
      if (!k) {
        // The chain forgets deleted contracts; the explorer keeps them.
        let gone: ListedContract | undefined;
        try {
          gone = (await ctx.explorer<ListedContract>(`/contracts/${id}`)).body;
        } catch {
          throw new CliFailure(
            `there is no contract ${id} on the chain (deleted contracts are only in the explorer, which does not know it either)`,
            { kind: 'not-found', contractId: id },
          );
        }
        return {
          json: { ...gone, source: 'explorer' },
          text: fields({
            contract: gone.contract_id,
            twin: gone.twin_id,
            type: gone.type,
            state: gone.state,
            details: gone.details,
            'total billed TFT': formatTft(BigInt(Math.round(gone.total_billed ?? 0))),
          }),
        };
      }
      const [billing, resources, answer] = await Promise.all([
        c.contracts.billingInfo(id),
        k.type.kind === 'node' ? c.contracts.resources(id) : undefined,
        // With the deployer's key the private part (reasons, addresses) opens; without, the states only.
        k.type.kind === 'node' ? answerOf(ctx, c, id) : undefined,
      ]);
      const out = { ...k, billing, resources: resources ?? null, answer: answer ?? null, source: 'chain' };
      return {
        json: out,
        text: fields({
          contract: k.id,
          twin: k.twinId,
          type: k.type.kind,
          on: target(k.type),
          state: `${k.state}${k.gracePeriodSince !== undefined ? ` since block ${k.gracePeriodSince}` : ''}${k.deletedCause ? ` (${k.deletedCause})` : ''}`,
          ...(k.type.kind === 'node'
            ? { hash: k.type.deploymentHash, 'public IPs': k.type.publicIpsList.map((p) => p.ip).join(', ') || 'none' }
            : {}),
          ...(resources
            ? {
                'used (node report)': `${resources.cru} CPU, ${formatSize(resources.mru)} RAM, ${formatSize(resources.sru)} SSD, ${formatSize(resources.hru)} HDD`,
              }
            : {}),
          'unbilled TFT': formatTft(billing.amountUnbilled),
          // The chain keeps the time of the last bill (unix seconds), not a block number.
          'last billed': billing.lastUpdated > 0 ? new Date(billing.lastUpdated * 1000).toISOString() : 'never',
          ...(k.type.kind === 'node'
            ? {
                'node answer': answer
                  ? `deployment v${answer.version}, ${new Date(answer.updatedAt).toISOString()}${answer.sealed && !answer.opened ? ' (reasons and addresses sealed to the deployer)' : ''}`
                  : 'none yet',
              }
            : {}),
        }).concat(answer ? answerLines(answer, sentDeployment(ctx, id)).map((l) => `  ${l}`) : []),
      };
    },
  },
  {
    name: 'contracts update',
    summary: "replace a node contract's deployment with the one in FILE",
    args: 'CONTRACT_ID FILE',
    minArgs: 2,
    options: {
      version: {
        type: 'string',
        value: 'N',
        help: "the least deployment version (default: the one after the node's answer); changed workloads get the next version",
      },
      ...WAIT_OPTIONS,
    },
    async run(ctx, a) {
      const id = parseIntArg(a.positionals[0], 'contract id');
      const f = readDeploymentFile(a.positionals[1]!, ctx.io.cwd);
      const floor = str(a, 'version') === undefined ? 0 : parseIntArg(str(a, 'version'), '--version', 0);
      const c = await ctx.client(true);
      const k = await c.contracts.get(id);
      if (!k) throw new CliFailure(`there is no live contract ${id}`, { kind: 'not-found', contractId: id });
      if (k.type.kind !== 'node')
        throw new UsageError(`contract ${id} is a ${k.type.kind} contract: only node contracts carry a deployment`);
      const nodeId = k.type.nodeId;
      const d = await buildDeployment(f, k.twinId, nodeId, floor); // bad files fail before anything is sent
      await checkNode(c, nodeId);
      const r = await ctx.tx(`storing the new deployment and updating contract ${id}`, () =>
        c.deployments.update(id, d, { contractData: f.contractData }),
      );
      ctx.progress(`deployment v${r.deployment.version}: ${r.changed.length ? `changed ${r.changed.join(', ')}` : 'no workload changed'}`);
      const answer = await waitForNode(ctx, c, id, r.deployment, r.hash, a, false);
      const out = {
        contractId: id,
        nodeId,
        hash: r.hash,
        version: r.deployment.version,
        changed: r.changed,
        block: r.blockNumber ?? null,
        workloads: answer?.workloads ?? null,
      };
      return {
        json: out,
        text: [
          ...fields({
            contract: id,
            node: nodeId,
            hash: r.hash,
            version: r.deployment.version,
            changed: r.changed.join(', ') || 'nothing',
          }),
          ...(answer ? answerLines(answer, r.deployment).map((l) => `  ${l}`) : []),
        ],
      };
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
      if (!/^[a-z0-9_-]+$/.test(name))
        throw new UsageError(`the name may hold only lowercase letters, digits, - and _, got '${name}'`, 'name reserve');
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
