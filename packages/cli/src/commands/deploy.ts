/**
 * deploy FILE --node ID: check the node's free capacity (explorer), then the client's deploy path
 * (sign, seal to the node, notary + contract in one batch) and wait for the node's answer: every
 * workload ok, or the node's reason printed at once, exit 1 and — unless --keep-on-refusal — the
 * contract just made canceled, so nothing is billed for a deployment the node will not run.
 */
import type { Deployment, DeploymentAnswer, DeploymentFailedError, TfchainClient } from '@tfgrid/client';
import type { ExplorerNode } from '@tfgrid/explorer';
import { flag, str, type Args, type Command } from '../core/command';
import { chainLib, type Context } from '../core/context';
import { CliFailure } from '../core/errors';
import { fields } from '../core/io';
import { buildDeployment, parseDeploymentFile, readJsonFile } from '../core/deployfile';
import { formatSize, parseIntArg } from '../core/units';
import { required } from './account';
import { spansNodes } from '../core/networkfile';
import { deployAcrossNodes } from './network-deploy';
import { checkGateways, gatewayFqdnOf, gatewayHttpsOf, gatewayNetworkOf } from './gateways';

export const WAIT_OPTIONS = {
  'no-wait': { type: 'boolean' as const, help: 'return once the contract exists, without waiting for the node' },
  'wait-timeout': { type: 'string' as const, value: 'SECONDS', help: "how long to wait for the node's answer (default 120)" },
};

/**
 * The node's answer, one line per workload: `web  zmachine  ok  v1  node_local 10.249.0.2`; a
 * machine's private networks as `private mynet 10.20.1.2` (none: left out), its public IPv6 as
 * `public_ipv6 …` when the node gives one; a gateway's fqdn and the network it joins (`network
 * net`, from the answer or else from `sent`, the deployment as sent); how an own domain's HTTPS
 * is served (`https by ACME`, `tls passthrough`, `http only (…)`).
 */
export function answerLines(a: DeploymentAnswer, sent?: Deployment): string[] {
  return a.workloads.map((w) => {
    const addresses = w.data?.addresses as Record<string, unknown> | undefined;
    const network = gatewayNetworkOf(w, sent);
    const fqdn = gatewayFqdnOf(w, sent);
    const https = gatewayHttpsOf(w);
    const extra = [
      ...(addresses ? Object.entries(addresses).flatMap(([k, v]) => addressWords(k, v)) : []),
      ...(typeof w.data?.size === 'number' ? [formatSize(w.data.size)] : []),
      ...(fqdn ? [fqdn] : []),
      ...(https ? [https] : []),
      ...(network ? [`network ${network}`] : []),
      ...(w.reason ? [`— ${w.reason}`] : []),
    ];
    return `${w.name}  ${w.type}  ${w.state}  v${w.version}${extra.length ? `  ${extra.join('  ')}` : ''}`;
  });
}

/** `node_local 10.249.0.2`; a map of names to addresses as one entry per name. */
function addressWords(kind: string, v: unknown): string[] {
  if (typeof v !== 'object' || v === null) return [`${kind} ${String(v)}`];
  return Object.entries(v).map(([name, address]) => `${kind} ${name} ${String(address)}`);
}

/**
 * Waits for the node's answer to `d` on contract `contractId`. A refusal is printed as soon as the
 * node publishes it; the contract is canceled when `cancelOnRefusal` (the caller just created it).
 */
export async function waitForNode(
  ctx: Context,
  c: TfchainClient,
  contractId: number,
  d: Deployment,
  hash: string,
  a: Args,
  cancelOnRefusal: boolean,
): Promise<DeploymentAnswer | null> {
  if (flag(a, 'no-wait')) return null;
  const limit = str(a, 'wait-timeout') === undefined ? 120 : parseIntArg(str(a, 'wait-timeout'), '--wait-timeout');
  ctx.progress(`waiting for node ${d.node_id}'s answer for contract ${contractId} (up to ${limit} s) …`);
  const { DeploymentFailedError } = await chainLib();
  try {
    return await c.deployments.wait(contractId, {
      hash,
      deployment: d,
      timeoutMs: limit * 1000,
      onAnswer: (x) => answerLines(x, d).forEach((l) => ctx.progress(`  node ${x.nodeId}: ${l}`)),
    });
  } catch (e) {
    if (!(e instanceof DeploymentFailedError)) throw e;
    throw await failure(ctx, c, e, d.node_id, cancelOnRefusal);
  }
}

async function failure(ctx: Context, c: TfchainClient, e: DeploymentFailedError, nodeId: number, cancel: boolean): Promise<CliFailure> {
  const id = e.contractId;
  if (e.code === 'TIMEOUT') {
    return new CliFailure(
      `node ${nodeId} did not answer for contract ${id} within the wait: the node may be offline or still provisioning. ` +
        `The contract exists and is billed: check it with \`tfgrid contracts show ${id}\`, or cancel it with \`tfgrid contracts cancel ${id}\`.`,
      { kind: 'timeout', contractId: id, nodeId },
    );
  }
  if (e.code === 'CONTRACT_GONE')
    return new CliFailure(`contract ${id} went away before node ${nodeId} ran it: ${e.message}`, {
      kind: 'deploy',
      contractId: id,
      nodeId,
    });
  const reasons = e.reasons.map((r) => `${r.name}: ${r.reason}`).join('; ');
  ctx.progress(`node ${nodeId} refused contract ${id}: ${reasons}`);
  let after = `contract ${id} kept (--keep-on-refusal): cancel it with \`tfgrid contracts cancel ${id}\``;
  if (cancel) {
    try {
      await ctx.tx(`canceling contract ${id}`, () => c.contracts.cancel(id));
      after = `contract ${id} canceled`;
    } catch (x) {
      after = `canceling contract ${id} failed (${(x as Error).message}): cancel it with \`tfgrid contracts cancel ${id}\``;
      cancel = false;
    }
  }
  return new CliFailure(`node ${nodeId} refused the deployment: ${reasons}; ${after}`, {
    kind: 'refused',
    contractId: id,
    nodeId,
    reasons: e.reasons,
    canceled: cancel,
  });
}

/** Refuses, before any contract exists, a deployment the node cannot hold (the explorer's free capacity: total − reserved − used). */
export async function checkCapacity(ctx: Context, d: Deployment): Promise<void> {
  const { deploymentNeeds } = await chainLib();
  const need = deploymentNeeds(d);
  ctx.progress(`checking node ${d.node_id}'s free capacity at ${ctx.explorerUrl} …`);
  const n = (await ctx.explorer<Pick<ExplorerNode, 'status' | 'total_resources' | 'free_resources'>>(`/nodes/${d.node_id}`)).body;
  const f = n.free_resources;
  // Disks are pooled: SSD first, HDD on a node without SSD (as the node places them).
  const disk = n.total_resources.sru > 0 ? { name: 'SSD (sru)', free: f.sru } : { name: 'HDD (hru)', free: f.hru };
  const short = [
    ...(need.cru > f.cru ? [`CPU: needs ${need.cru}, ${f.cru} free`] : []),
    ...(need.mru > f.mru ? [`memory (mru): needs ${formatSize(need.mru)}, ${formatSize(f.mru)} free`] : []),
    ...(need.storage > disk.free ? [`${disk.name}: needs ${formatSize(need.storage)}, ${formatSize(disk.free)} free`] : []),
  ];
  if (short.length)
    throw new CliFailure(`node ${d.node_id} has not enough free capacity: ${short.join('; ')} (nothing was created)`, {
      kind: 'capacity',
      nodeId: d.node_id,
      short,
    });
}

/** The signer's twin id (deployments are the twin's). */
export async function twinOf(ctx: Context, c: TfchainClient): Promise<number> {
  const pair = await ctx.pair();
  const twinId = await c.twins.idOf(pair.address);
  if (twinId === undefined)
    throw new CliFailure(`${pair.address} has no twin: run \`tfgrid terms accept\` and \`tfgrid twin create\` first`, {
      kind: 'not-found',
    });
  return twinId;
}

/** The node's box key, or a failure naming the node (it does not exist or publishes none). */
export async function checkNode(c: TfchainClient, nodeId: number): Promise<void> {
  const { nodeBoxPublicKey } = await chainLib();
  try {
    await nodeBoxPublicKey(c.api, nodeId);
  } catch (e) {
    throw new CliFailure(`cannot deploy on node ${nodeId}: ${(e as Error).message}`, { kind: 'node', nodeId });
  }
}

export const deployCommands: Command[] = [
  {
    name: 'deploy',
    summary: "deploy workloads from a file on a node: capacity check, notary + contract, then the node's answer",
    args: 'FILE',
    minArgs: 1,
    options: {
      node: {
        type: 'string',
        value: 'NODE_ID',
        help: 'the node (see `tfgrid nodes find`); in a file that spans nodes, of the workloads without "node"',
      },
      endpoint: {
        type: 'string',
        multiple: true,
        value: 'NODE_ID=IP',
        help: "where the other nodes of a private network reach this node (default: its public config's IPv4; none: behind NAT)",
      },
      'keep-on-refusal': { type: 'boolean', help: 'keep the contract when the node refuses the deployment (default: cancel it)' },
      'no-capacity-check': { type: 'boolean', help: "skip the explorer's free-capacity check (the node still refuses what does not fit)" },
      ...WAIT_OPTIONS,
    },
    details: `Example: tfgrid deploy web.json --node 12

The file is JSON: {"description", "public_ips", "workloads": [...]}, each workload with "type"
(zmachine or its alias vm, volume, zmount, gateway-name-proxy, gateway-fqdn-proxy), "name" and its
fields, sizes with units:
  {"workloads": [
    {"type": "volume", "name": "data", "size": "1GiB"},
    {"type": "zmachine", "name": "web", "image": {"url": "http://…/busybox.tar.gz", "sha256": "<64 hex>"},
     "size": "1GiB", "compute_capacity": {"cpu": 1, "memory": "256MiB"}, "entrypoint": "httpd -f -p 8080",
     "mounts": [{"name": "data", "mountpoint": "/data"}]}]}
The node's free capacity is checked through the explorer first. The deployment is signed with your
key, sealed to the node, stored in your notary and the node contract created with its hash, in one
transaction; the node picks it up from the chain and answers through its own notary entries: each
workload's state, addresses, or its reason for refusing (then the contract is canceled, exit 1).

A file may span nodes ("node" per workload) and name private networks ("networks"); a gateway
joins one with "network" and may name a machine of it as a backend:
  {"type": "gateway-name-proxy", "name": "site", "node": 3, "gateway_name": "mysite",
   "network": "net", "backends": ["http://web:8080"]}
(reserve the name first: tfgrid name reserve mysite). Your own domain, its DNS pointing at the
gateway node (no name contract; with "tls_passthrough": true the backends are IP:port and
terminate TLS themselves):
  {"type": "gateway-fqdn-proxy", "name": "own", "node": 3, "fqdn": "www.example.com",
   "network": "net", "backends": ["http://web:8080"]}`,
    async run(ctx, a) {
      const file = a.positionals[0]!;
      let raw;
      try {
        raw = readJsonFile(file, ctx.io.cwd);
      } catch (e) {
        if (str(a, 'node') === undefined) required(a, 'node', 'deploy'); // an unreadable file and no --node: the option is said first
        throw e;
      }
      // A readable file's own problems are named (a file spanning nodes needs no --node).
      const f = parseDeploymentFile(raw, file);
      if (spansNodes(f)) return deployAcrossNodes(ctx, a, f);
      const nodeId = parseIntArg(required(a, 'node', 'deploy'), '--node');
      const c = await ctx.client(true);
      const twinId = await twinOf(ctx, c);
      const d = await buildDeployment(f, twinId, nodeId, 0);
      await checkNode(c, nodeId);
      await checkGateways(ctx, c, twinId, [d]);
      if (!flag(a, 'no-capacity-check')) await checkCapacity(ctx, d);
      const r = await ctx.tx(`storing the sealed deployment and creating the contract on node ${nodeId}`, () =>
        c.deployments.create(d, { contractData: f.contractData, publicIps: f.publicIps }),
      );
      ctx.progress(`contract ${r.contractId} created in block #${r.blockNumber ?? '?'}`);
      const answer = await waitForNode(ctx, c, r.contractId, r.deployment, r.hash, a, !flag(a, 'keep-on-refusal'));
      const out = {
        contractId: r.contractId,
        nodeId,
        twinId,
        hash: r.hash,
        block: r.blockNumber ?? null,
        running: answer !== null,
        workloads: answer?.workloads ?? f.workloads.map((w) => ({ name: w.name, type: w.type })),
      };
      return {
        json: out,
        text: [
          ...fields({
            contract: r.contractId,
            node: nodeId,
            hash: r.hash,
            state: answer ? 'running (the node answered)' : 'created (not waited for)',
          }),
          ...(answer ? answerLines(answer, r.deployment).map((l) => `  ${l}`) : []),
        ],
      };
    },
  },
];
