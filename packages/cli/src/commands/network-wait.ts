/**
 * Waiting for several nodes' answers at once (a deployment across nodes, a network's update), and
 * from them each machine's addresses — private (per network), planetary, public IPv4 and IPv6 —
 * and each gateway's fqdn and network.
 */
import type { Deployment, DeploymentAnswer, NodeReason, TfchainClient } from '@tfgrid/client';
import { flag, str, type Args } from '../core/command';
import { chainLib, type Context } from '../core/context';
import { CliFailure } from '../core/errors';
import { parseIntArg } from '../core/units';
import { answerLines } from './deploy';
import { gatewayFqdnOf, gatewayHttpsOf, gatewayNetworkOf } from './gateways';

export interface NodeContract {
  nodeId: number;
  contractId: number;
  hash: string;
  deployment: Deployment;
}

/**
 * Every node's answer (null with --no-wait). A refusal by any node: `cancel` (when given) cancels
 * every contract, and the failure names each node's reasons; a silent node: the contracts are kept.
 */
export async function waitForAll(
  ctx: Context,
  c: TfchainClient,
  all: NodeContract[],
  a: Args,
  cancel?: (why: string) => Promise<string>,
): Promise<DeploymentAnswer[] | null> {
  if (flag(a, 'no-wait')) return null;
  const limit = str(a, 'wait-timeout') === undefined ? 120 : parseIntArg(str(a, 'wait-timeout'), '--wait-timeout');
  const { DeploymentFailedError } = await chainLib();
  ctx.progress(`waiting for the answers of nodes ${all.map((m) => m.nodeId).join(', ')} (up to ${limit} s) …`);
  const settled = await Promise.allSettled(
    all.map((m) =>
      c.deployments.wait(m.contractId, {
        hash: m.hash,
        deployment: m.deployment,
        timeoutMs: limit * 1000,
        onAnswer: (x) => answerLines(x, m.deployment).forEach((l) => ctx.progress(`  node ${x.nodeId}: ${l}`)),
      }),
    ),
  );
  const refused: { nodeId: number; contractId: number; reasons: NodeReason[] }[] = [];
  const silent: NodeContract[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') return;
    const e = s.reason as Error;
    if (!(e instanceof DeploymentFailedError)) throw e;
    if (e.code === 'REFUSED') refused.push({ nodeId: all[i]!.nodeId, contractId: all[i]!.contractId, reasons: e.reasons });
    else silent.push(all[i]!);
  });
  if (refused.length) {
    const reasons = refused
      .map((r) => `node ${r.nodeId} (contract ${r.contractId}): ${r.reasons.map((x) => `${x.name}: ${x.reason}`).join('; ')}`)
      .join(' | ');
    const after = cancel
      ? await cancel('a node refused')
      : `contracts ${all.map((m) => m.contractId).join(', ')} kept: cancel them with \`tfgrid contracts cancel\``;
    throw new CliFailure(`refused: ${reasons}; ${after}`, {
      kind: 'refused',
      refused,
      canceled: cancel !== undefined && !after.includes('failed'),
    });
  }
  if (silent.length) {
    const ids = silent.map((m) => m.contractId).join(' ');
    throw new CliFailure(
      `nodes ${silent.map((m) => m.nodeId).join(', ')} did not answer within the wait (contracts ${ids}): check them with \`tfgrid contracts show\`, or cancel them with \`tfgrid contracts cancel ${all.map((m) => m.contractId).join(' ')}\``,
      { kind: 'timeout', contracts: silent.map((m) => m.contractId) },
    );
  }
  return settled.map((s) => (s as PromiseFulfilledResult<DeploymentAnswer>).value);
}

interface Addresses {
  private?: Record<string, string>;
  planetary?: string;
  public?: string;
  public_ipv6?: string;
  node_local?: string;
}

/**
 * One line per machine and per gateway, from the nodes' answers:
 * `a  node 1  contract 7  private net 10.20.2.2  planetary 3xx:…  public 185.206.122.40/24  public_ipv6 2001:…`,
 * `site  node 3  contract 9  gateway mysite.gw.example  network net`.
 */
export function resultLines(
  all: NodeContract[],
  answers: DeploymentAnswer[],
): { json: { machines: Record<string, unknown>[]; gateways: Record<string, unknown>[] }; text: string[] } {
  const machines: Record<string, unknown>[] = [];
  const gateways: Record<string, unknown>[] = [];
  const text: string[] = [];
  answers.forEach((ans, i) => {
    const where = `node ${all[i]!.nodeId}  contract ${all[i]!.contractId}`;
    for (const w of ans.workloads) {
      if (w.type.startsWith('gateway-')) {
        const fqdn = gatewayFqdnOf(w, all[i]!.deployment) ?? null;
        const network = gatewayNetworkOf(w, all[i]!.deployment) ?? null;
        const https = gatewayHttpsOf(w);
        gateways.push({
          name: w.name,
          nodeId: all[i]!.nodeId,
          contractId: all[i]!.contractId,
          fqdn,
          network,
          ...(typeof w.data?.https === 'string' ? { https: w.data.https } : {}),
        });
        text.push(
          `  ${w.name}  ${where}${fqdn ? `  gateway ${fqdn}` : ''}${https ? `  ${https}` : ''}${network ? `  network ${network}` : ''}`,
        );
        continue;
      }
      if (w.type !== 'zmachine' && w.type !== 'vm') continue;
      const ad = (w.data?.addresses ?? {}) as Addresses;
      machines.push({
        name: w.name,
        nodeId: all[i]!.nodeId,
        contractId: all[i]!.contractId,
        private: ad.private ?? {},
        planetary: ad.planetary ?? null,
        public: ad.public ?? null,
        publicIpv6: ad.public_ipv6 ?? null,
        nodeLocal: ad.node_local ?? null,
      });
      const words = [
        ...Object.entries(ad.private ?? {}).map(([n, ip]) => `private ${n} ${ip}`),
        ...(ad.planetary ? [`planetary ${ad.planetary}`] : []),
        ...(ad.public ? [`public ${ad.public}`] : []),
        ...(ad.public_ipv6 ? [`public_ipv6 ${ad.public_ipv6}`] : []),
      ];
      text.push(`  ${w.name}  ${where}${words.length ? `  ${words.join('  ')}` : ''}`);
    }
  });
  return { json: { machines, gateways }, text };
}
