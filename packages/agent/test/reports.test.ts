/**
 * Usage reports without a chain (a recording fake client): the NRU queue survives a crash at
 * every step (accumulated bytes saved, a sealed batch resent until accepted, a refused batch
 * dropped), and the resource reporter sends the latest figures of live contracts only, retrying
 * transport failures and dropping what the chain refuses.
 */
import pino from 'pino';
import { ChainError, type NruReport, type TfchainClient } from '@tfgrid/client';
import { NruQueue, ResourceReporter } from '../src/reports';
import type { Capacity, ProvisionerPort, WorkloadState } from '../src/core';
import { tempDirs, until, type TempDirs } from './support/grid';

const log = pino({ level: 'silent' });
let dirs: TempDirs;
beforeEach(() => (dirs = tempDirs('agent-reports')));
afterEach(() => dirs.cleanup());

/** A client whose contract calls record what they get and fail while `fail` says so. */
function fakeClient(fail: () => Error | undefined) {
  const nru: NruReport[][] = [];
  const resources: { contractId: number; used: Capacity }[][] = [];
  const client = {
    contracts: {
      addNruReports: async (r: NruReport[]) => {
        const e = fail();
        if (e) throw e;
        nru.push(r);
      },
      reportResources: async (r: { contractId: number; used: Capacity }[]) => {
        const e = fail();
        if (e) throw e;
        resources.push(r);
      },
    },
  } as unknown as TfchainClient;
  return { client, nru, resources };
}

test('NRU: bytes and sealed batches survive a crash; sent once accepted; a refused batch is dropped', async () => {
  let down = true;
  const a = fakeClient(() => (down ? new Error('disconnected') : undefined));
  const q1 = new NruQueue({
    client: a.client,
    dataDir: dirs.dataDir,
    logger: log,
    intervalMs: 3_600_000,
    saveMs: 50,
    retryMinMs: 20,
    retryMaxMs: 50,
  });
  q1.start();
  q1.add(7, 1000);
  q1.add(7, 500);
  q1.add(8, 42);
  void q1.flush(); // sealed and saved, then failing while "the chain is down"
  q1.add(7, 9); // accumulated after the flush, saved within saveMs
  await new Promise((r) => setTimeout(r, 200));
  expect(a.nru).toHaveLength(0);
  // Crash: q1 is never stopped. A new queue on the same directory finds everything.
  const b = fakeClient(() => undefined);
  const q2 = new NruQueue({ client: b.client, dataDir: dirs.dataDir, logger: log, intervalMs: 3_600_000, retryMinMs: 20, retryMaxMs: 50 });
  expect(q2.status()).toMatchObject({ batches: 1, pendingBytes: 9 });
  q2.start();
  await until('b.nru.length === 1', () => b.nru.length === 1, 5000);
  expect(b.nru[0]!.map((r) => [r.contractId, r.nru])).toEqual([
    [7, 1500],
    [8, 42],
  ]);
  await q2.flush();
  expect(b.nru[1]!.map((r) => [r.contractId, r.nru])).toEqual([[7, 9]]);
  expect(q2.status()).toMatchObject({ batches: 0, pendingBytes: 0, accepted: 2 });
  await q2.stop();
  down = false; // let q1's retry loop end
  await q1.stop();

  // The chain refusing a batch (a dispatch error) drops it instead of retrying forever.
  const c = fakeClient(() => new ChainError('SmartContractModule', 'NodeNotAuthorizedToComputeReport', ''));
  const q3 = new NruQueue({ client: c.client, dataDir: dirs.dataDir, logger: log, intervalMs: 3_600_000, accept: (id) => id !== 99 });
  q3.add(99, 1000); // not a live contract of this node: never queued
  q3.add(5, 10);
  await q3.flush();
  expect(q3.status()).toMatchObject({ batches: 0, pendingBytes: 0, accepted: 0 });
  await q3.stop();
});

test('resource reports: the latest figures of live contracts, transport failures retried, refusals dropped', async () => {
  const used = new Map<number, Capacity>([
    [1, { cru: 1, mru: 1, sru: 1, hru: 0 }],
    [2, { cru: 2, mru: 2, sru: 2, hru: 0 }],
  ]);
  const listeners = new Set<(e: { contractId: number }) => void>();
  const state = (contractId: number, s: WorkloadState['state']): WorkloadState => ({
    contractId,
    name: 'w',
    type: 'vm',
    version: 0,
    state: s,
    used: used.get(contractId)!,
    updatedAt: 0,
  });
  const p = {
    states: (id: number) => (id === 3 ? [state(3, 'error')] : used.has(id) ? [state(id, 'ok')] : []),
    used: (id: number) => used.get(id)!,
    onChange: (l: (e: { contractId: number }) => void) => (listeners.add(l), () => listeners.delete(l)),
  } as unknown as ProvisionerPort;
  let failures = 2;
  const f = fakeClient(() => (failures-- > 0 ? new Error('socket closed') : undefined));
  const r = new ResourceReporter({ client: f.client, provisioner: p, logger: log, retryMinMs: 20, retryMaxMs: 50 });
  r.start([1]);
  for (const l of listeners) {
    l({ contractId: 2 });
    l({ contractId: 3 }); // refused: never reported
  }
  await until(
    'f.resources.length >= 1 && r.status().pending.length === 0',
    () => f.resources.length >= 1 && r.status().pending.length === 0,
    5000,
  );
  expect(
    f.resources
      .flat()
      .map((x) => x.contractId)
      .sort(),
  ).toEqual([1, 2]);
  // Unchanged figures are not sent again; changed ones are.
  for (const l of listeners) l({ contractId: 1 });
  used.set(2, { cru: 4, mru: 2, sru: 2, hru: 0 });
  for (const l of listeners) l({ contractId: 2 });
  await until(
    'f.resources.flat().filter((x) => x.contractId === 2).length === 2',
    () => f.resources.flat().filter((x) => x.contractId === 2).length === 2,
    5000,
  );
  expect(f.resources.flat().filter((x) => x.contractId === 1)).toHaveLength(1);
  expect(r.status().failures).toBe(2);
  await r.stop();
});

test('resource reports: a batch the chain refuses is split; only the contract it refuses is dropped', async () => {
  const used = new Map<number, Capacity>([
    [1, { cru: 1, mru: 1, sru: 1, hru: 0 }],
    [2, { cru: 2, mru: 2, sru: 2, hru: 0 }],
    [3, { cru: 3, mru: 3, sru: 3, hru: 0 }],
  ]);
  const p = {
    states: (id: number): WorkloadState[] => [
      { contractId: id, name: 'w', type: 'vm', version: 0, state: 'ok', used: used.get(id)!, updatedAt: 0 },
    ],
    used: (id: number) => used.get(id)!,
    onChange: () => () => undefined,
  } as unknown as ProvisionerPort;
  const sent: number[][] = [];
  const client = {
    contracts: {
      reportResources: async (r: { contractId: number }[]) => {
        if (r.some((x) => x.contractId === 2)) throw new ChainError('SmartContractModule', 'ContractNotExists', '');
        sent.push(r.map((x) => x.contractId));
      },
    },
  } as unknown as TfchainClient;
  const r = new ResourceReporter({ client, provisioner: p, logger: log, retryMinMs: 20, retryMaxMs: 50 });
  r.start([1, 2, 3]);
  await until('sent.length === 2', () => sent.length === 2, 5000);
  expect(sent).toEqual([[1], [3]]);
  // The batch and contract 2 alone: two refusals, nothing retried.
  expect(r.status()).toEqual({ pending: [], accepted: 2, failures: 2 });
  await r.stop();
});
