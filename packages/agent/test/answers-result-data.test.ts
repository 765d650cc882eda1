/** What of a workload's result the node's answer tells the deployer, and what it keeps to itself. */
import { resultData } from '../src/answers';

test("a machine's addresses, a gateway's fqdn and network, a public IP's addresses are told; the node's own paths and pids are not", () => {
  expect(resultData('zmachine', { runtime: 'runc', addresses: { node_local: '10.249.0.2' }, pid: 42, bundle: '/var/lib/x' })).toEqual({
    runtime: 'runc',
    addresses: { node_local: '10.249.0.2' },
  });
  expect(
    resultData('gateway-name-proxy', {
      name: 'site',
      fqdn: 'site.gw.example',
      network: 'net',
      domain: 'gw.example',
      name_contract_id: 7,
      relay_socket: '/run/x.sock',
    }),
  ).toEqual({ name: 'site', fqdn: 'site.gw.example', network: 'net' });
  expect(
    resultData('ip', { ip: '198.18.0.200/24', gateway: '198.18.0.1', ip6: '2001:2::5/64', gateway6: '2001:2::1', iface: 'pub0' }),
  ).toEqual({ ip: '198.18.0.200/24', gateway: '198.18.0.1', ip6: '2001:2::5/64', gateway6: '2001:2::1' });
  expect(resultData('network', { netns: 'tfn-abc', subnet: '10.20.2.0/24' })).toBeUndefined();
  expect(resultData('volume', undefined)).toBeUndefined();
});
