/**
 * Network-up time without the chain: from `PrivateNetworks.ensure()` on both hosts (in parallel,
 * as two agents would act on one finalized contract) and the machines' attach, to the first ping
 * from machine A reaching machine B over the new network. Each trial makes a new network and two
 * new machines, and removes the network after.
 */
import { execFile } from 'node:child_process';
import { machineAddress, networkData } from '@tfgrid/client';
import { networkId } from '../src/network';
import { sleep } from './measure';
import { twoNodePlan, type Paths } from './network-paths';

const PING_DEADLINE_MS = 15_000;

export interface UpTrial {
  /** ensure() and attach() done on both hosts. */
  readyMs: number;
  /** First ping answered. */
  upMs: number;
}

const pingOnce = (ns: string, ip: string): Promise<boolean> =>
  new Promise((resolve) =>
    execFile('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', '1', '-W', '1', ip], { timeout: 5000 }, (err) => resolve(!err)),
  );

export async function measureNetworkUp(paths: Paths, tag: string, trials: number): Promise<UpTrial[]> {
  const out: UpTrial[] = [];
  for (let k = 0; k < trials; k++) {
    const machines = [paths.addMachine(`u${k}a`), paths.addMachine(`u${k}b`)];
    const plan = twoNodePlan(paths.hosts, `up${k}`, 41100 + 10 * k);
    const id = networkId(1, `${tag}-up${k}`);
    try {
      const t0 = performance.now();
      await Promise.all(
        [0, 1].map(async (h) => {
          const d = networkData(plan, h + 1);
          await paths.networks[h]!.ensure(id, d);
          await paths.networks[h]!.attach(id, d, `u${k}${h}`, machines[h]!, 0, machineAddress(plan.nodes[h]!.subnet));
        }),
      );
      const readyMs = performance.now() - t0;
      const target = machineAddress(plan.nodes[1]!.subnet);
      while (!(await pingOnce(machines[0]!, target))) {
        if (performance.now() - t0 > PING_DEADLINE_MS) throw new Error(`network-up trial ${k}: no ping within ${PING_DEADLINE_MS} ms`);
        await sleep(20);
      }
      out.push({ readyMs, upMs: performance.now() - t0 });
    } finally {
      for (const n of paths.networks) await n.remove(id);
    }
  }
  return out;
}
