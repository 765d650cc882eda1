/** The `network` workload handler: one part of a network per node, listen ports not shared, real provisioning and removal. */
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { wireguardKeyPair, type Workload } from '@tfgrid/client';
import { NetworkHandler, PrivateNetworks, networkId } from '../src/network';
import type { HandlerContext, WorkloadState } from '../src/core';
import { handlerContext } from './fixtures/workloads/helpers';
import { freePort } from './support/net';

jest.setTimeout(60_000);

const tag = (process.pid % 0xffff).toString(16).padStart(4, '0');
const handler = new NetworkHandler(new PrivateNetworks(`h${tag.slice(1)}`, pino({ level: 'silent' })));
const ctx = (contractId: number, twinId = 7): HandlerContext => handlerContext(contractId, twinId);
const workload = (name: string, port: number): Workload =>
  ({
    version: 0,
    name: `${name}-${tag}`,
    type: 'network',
    metadata: '',
    description: '',
    data: {
      ip_range: '10.66.0.0/16',
      subnet: '10.66.1.0/24',
      wireguard_private_key: wireguardKeyPair().privateKey,
      wireguard_listen_port: port,
      peers: [],
    },
  }) as unknown as Workload;
const states: WorkloadState[] = [];

afterAll(async () => {
  for (const s of states) await handler.deprovision(s);
});

test('provisions, refuses a second holder and a shared port, frees on deprovision', async () => {
  const port = await freePort();
  const w = workload('net', port);
  expect(handler.needs()).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
  const result = await handler.provision(w, ctx(1));
  const state: WorkloadState = {
    contractId: 1,
    name: w.name,
    type: 'network',
    version: 0,
    state: 'ok',
    used: handler.needs(),
    result,
    updatedAt: Date.now(),
  };
  states.push(state);
  expect(result).toMatchObject({
    network_id: networkId(7, w.name),
    gateway: '10.66.1.1',
    wireguard_ip: '100.64.66.1',
    wireguard_listen_port: port,
  });
  expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toContain(result.netns as string);
  // The same network of the same twin on this node for another contract, and another network on the same port.
  await expect(handler.admit(w, ctx(2))).rejects.toMatchObject({
    code: 'conflict',
    message: expect.stringMatching(/already runs on this node for contract 1/),
  });
  await expect(handler.admit(workload('other', port), ctx(3))).rejects.toMatchObject({
    code: 'conflict',
    message: expect.stringMatching(/wireguard_listen_port/),
  });
  // Another twin's network of the same name is another network.
  await expect(
    handler.admit({ ...w, data: { ...w.data, wireguard_listen_port: port + 1 } } as Workload, ctx(4, 8)),
  ).resolves.toBeUndefined();
  // The same contract may update its network.
  await expect(handler.admit(w, ctx(1))).resolves.toBeUndefined();
  await handler.deprovision(state);
  expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(result.netns as string);
  await expect(handler.admit(w, ctx(2))).resolves.toBeUndefined();
});
