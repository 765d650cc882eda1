// The agent's folders form layers: each imports only the folders below it, so there is no circle
// between folders and the source reads top (the agent and the node's services) to bottom (core,
// the pieces every folder shares).
import { resolve } from 'node:path';
import { describeLayers } from '@tfgrid/testkit';

/** Every folder of src, top to bottom; a folder may import the folders after it, never those before it. */
const LAYERS = [
  // The agent, its CLI, identity, registration, uptime, power and the node's services.
  '.',
  // The contract follower: what the chain's contracts ask of the provisioner.
  'contracts',
  // The workloads' answers (results) published back to the deployers.
  'answers',
  // NRU and used-resource reports to the chain.
  'reports',
  // The Web Gateway's control plane: its workloads, routes as the chain says, relays into private networks.
  'gateway',
  // The HAProxy data plane the control plane drives.
  'gateway/haproxy',
  // What both planes share: the route table, backends, admission, limits, metrics, certificates, usage.
  'gateway/routes',
  // Own domains' certificates (ACME).
  'gateway/acme',
  // The agent's settings: flags, environment, config file.
  'config',
  // Private networks (WireGuard), public IPs, the machines' interfaces.
  'network',
  // The planetary (Yggdrasil) overlay.
  'planetary',
  // The workload engine: the provisioner, the handlers, the process runtime.
  'workloads',
  'workloads/runc',
  'workloads/images',
  'workloads/disk',
  // What the node has: CPUs, memory, disks, interfaces.
  'hardware',
  // Shared by all: coded errors, backoff, queues, logging, metrics, addresses, /proc, the workload types.
  'core',
];

describeLayers('agent', { src: resolve(__dirname, '../src'), test: __dirname, layers: LAYERS });
