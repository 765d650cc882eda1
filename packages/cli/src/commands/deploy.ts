/**
 * deploy FILE --node ID: build the deployment, sign it, seal it to the node, leave it in the
 * notary and create the node contract with its hash in one atomic batch; then wait until the
 * node reports the contract's resources on chain (its sign that the workloads run).
 */
import type { Resources, TfchainClient, TxResult } from '@tfgrid/client';
import { flag, str, type Args, type Command } from '../command';
import { chainLib, utilLib, type Context } from '../context';
import { CliFailure } from '../errors';
import { fields } from '../io';
import { buildDeployment, readDeploymentFile, type DeploymentFile } from '../deployfile';
import { formatSize, parseIntArg } from '../units';
import { required } from './account';

const used = (r: Resources): boolean => r.cru + r.mru + r.sru + r.hru > 0;
const describe = (r: Resources): string => `${r.cru} CPU, ${formatSize(r.mru)} RAM, ${formatSize(r.sru)} SSD, ${formatSize(r.hru)} HDD`;

export const WAIT_OPTIONS = {
  'no-wait': { type: 'boolean' as const, help: 'return once the contract exists, without waiting for the node' },
  'wait-timeout': { type: 'string' as const, value: 'SECONDS', help: 'how long to wait for the node to report it running (default 120)' },
};

/** Polls the chain until the node reports resources for the contract, it disappears, or time runs out. */
export async function waitRunning(ctx: Context, c: TfchainClient, contractId: number, nodeId: number, a: Args): Promise<Resources | null> {
  if (flag(a, 'no-wait')) return null;
  const limit = str(a, 'wait-timeout') === undefined ? 120 : parseIntArg(str(a, 'wait-timeout'), '--wait-timeout');
  ctx.progress(`waiting for node ${nodeId} to report contract ${contractId} running (up to ${limit} s) …`);
  const deadline = Date.now() + limit * 1000;
  let nextNote = Date.now() + 15_000;
  for (;;) {
    const contract = await c.contracts.get(contractId);
    if (!contract || contract.state === 'Deleted') {
      throw new CliFailure(`contract ${contractId} is gone (${contract?.deletedCause ?? 'canceled'}) before node ${nodeId} reported it running`, { kind: 'deploy', contractId, nodeId });
    }
    const r = await c.contracts.resources(contractId);
    if (used(r)) return r;
    if (Date.now() >= deadline) {
      throw new CliFailure(
        `node ${nodeId} did not report contract ${contractId} running within ${limit} s: the node may be offline, still provisioning, or it refused the deployment (its agent log says why). ` +
          `The contract exists and is billed: check it with \`tfgrid contracts show ${contractId}\`, or cancel it with \`tfgrid contracts cancel ${contractId}\`.`,
        { kind: 'timeout', contractId, nodeId },
      );
    }
    if (Date.now() >= nextNote) {
      ctx.progress(`… still waiting for node ${nodeId} (${Math.round((deadline - Date.now()) / 1000)} s left)`);
      nextNote += 15_000;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The contract id a batch created (from its ContractCreated event). */
export function createdContractId(r: TxResult): number | undefined {
  const e = r.events.find((x) => x.section === 'smartContractModule' && x.method === 'ContractCreated');
  const id = (e?.data[0] as { contractId?: number } | undefined)?.contractId;
  return typeof id === 'number' ? id : undefined;
}

/** Signs and seals `f` for node `nodeId`: what goes to the notary and the hash for the contract. */
export async function prepare(ctx: Context, c: TfchainClient, f: DeploymentFile, nodeId: number, version: number) {
  const pair = await ctx.pair();
  const twinId = await c.twins.idOf(pair.address);
  if (twinId === undefined) throw new CliFailure(`${pair.address} has no twin: run \`tfgrid terms accept\` and \`tfgrid twin create\` first`, { kind: 'not-found' });
  const d = await buildDeployment(f, twinId, nodeId, version);
  const { nodeBoxPublicKey, prepareDeployment } = await chainLib();
  let box: Uint8Array;
  try {
    box = await nodeBoxPublicKey(c.api, nodeId);
  } catch (e) {
    throw new CliFailure(`cannot deploy on node ${nodeId}: ${(e as Error).message}`, { kind: 'node', nodeId });
  }
  return { twinId, prepared: prepareDeployment(d, pair, box) };
}

export const deployCommands: Command[] = [
  {
    name: 'deploy',
    summary: 'deploy workloads from a file on a node: notary + contract, then wait for the node',
    args: 'FILE',
    minArgs: 1,
    options: { node: { type: 'string', value: 'NODE_ID', help: 'the node (see `tfgrid nodes find`)' }, ...WAIT_OPTIONS },
    details: `Example: tfgrid deploy web.json --node 12

The file is JSON: {"description", "public_ips", "workloads": [...]}, each workload with "type"
(volume, vm, gateway-name-proxy), "name" and its fields, sizes with units:
  {"workloads": [
    {"type": "volume", "name": "data", "size": "1GiB"},
    {"type": "vm", "name": "web", "flist": "https://hub.grid.tf/tf-official-apps/base:latest.flist",
     "cpu": 1, "memory": "512MiB", "entrypoint": "python3 -m http.server 8080",
     "mounts": [{"name": "data", "mountpoint": "/data"}]}]}
The deployment is signed with your key, sealed to the node, stored in your notary and the node
contract created with its hash, in one transaction; the node picks it up from the chain.`,
    async run(ctx, a) {
      const file = a.positionals[0]!;
      const nodeId = parseIntArg(required(a, 'node', 'deploy'), '--node');
      const f = readDeploymentFile(file, ctx.io.cwd);
      const c = await ctx.client(true);
      const { twinId, prepared: p } = await prepare(ctx, c, f, nodeId, 0);
      const api = c.api;
      const { notaryCalls } = await chainLib();
      const { stringToU8a } = utilLib();
      const calls = [...notaryCalls(api, p.sealed, nodeId, p.hash), api.tx.smartContractModule.createNodeContract(nodeId, stringToU8a(p.hash), f.contractData, f.publicIps, null)];
      const r = await ctx.tx(`storing the sealed deployment (${p.sealed.length} bytes) and creating the contract on node ${nodeId}`, () => c.batch(calls));
      const contractId = createdContractId(r) ?? (await c.contracts.idByNodeAndHash(nodeId, p.hash));
      if (contractId === undefined) throw new CliFailure('the batch went through but no contract was created', { kind: 'deploy' });
      ctx.progress(`contract ${contractId} created in block #${r.blockNumber ?? '?'}`);
      const resources = await waitRunning(ctx, c, contractId, nodeId, a);
      const out = { contractId, nodeId, twinId, hash: p.hash, workloads: f.workloads.map((w) => ({ name: w.name, type: w.type })), block: r.blockNumber ?? null, running: resources !== null, resources };
      return {
        json: out,
        text: fields({
          contract: contractId,
          node: nodeId,
          hash: p.hash,
          workloads: out.workloads.map((w) => `${w.name} (${w.type})`).join(', '),
          state: resources ? `running: ${describe(resources)} reported by the node` : 'created (not waited for)',
        }),
      };
    },
  },
];
