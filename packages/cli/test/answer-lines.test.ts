/** How `deploy`, `contracts show` and `contracts update` print a node's answer, one line per workload. */
import type { DeploymentAnswer } from '@tfgrid/client';
import { answerLines } from '../src/commands/deploy';

const answer = (workloads: DeploymentAnswer['workloads']): DeploymentAnswer => ({ contractId: 1, nodeId: 1, twinId: 2, hash: 'h', version: 0, updatedAt: 0, workloads, sealed: true, opened: true });

test('addresses, private networks by name, sizes and reasons', () => {
  expect(
    answerLines(
      answer([
        { name: 'data', type: 'volume', version: 0, state: 'ok', data: { size: 256 * 1024 ** 2 } },
        { name: 'web', type: 'zmachine', version: 1, state: 'ok', data: { runtime: 'runc', addresses: { node_local: '10.249.0.2', private: { mynet: '10.20.1.2' }, planetary: '300::1' } } },
        { name: 'solo', type: 'zmachine', version: 0, state: 'ok', data: { addresses: { node_local: '10.249.0.3', private: {} } } },
        { name: 'bad', type: 'zmachine', version: 0, state: 'error', reason: 'the image at … has sha256 …' },
      ]),
    ),
  ).toEqual([
    'data  volume  ok  v0  256 MiB',
    'web  zmachine  ok  v1  node_local 10.249.0.2  private mynet 10.20.1.2  planetary 300::1',
    'solo  zmachine  ok  v0  node_local 10.249.0.3',
    'bad  zmachine  error  v0  — the image at … has sha256 …',
  ]);
});
