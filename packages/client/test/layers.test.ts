// The client's folders form layers: each imports only the folders below it, so there is no circle
// between folders and the source reads top (the entry files: index, light, client) to bottom
// (the chain vocabulary, IPv4 and WireGuard helpers).
import { resolve } from 'node:path';
import { describeLayers } from '@tfgrid/testkit';

/** Every folder of src, top to bottom; a folder may import the folders after it, never those before it. */
const LAYERS = [
  '.',
  // Private network planning: builds the network workload data the deployment folder checks.
  'network',
  'deployment',
  'modules',
  'tx',
  'events',
  'link',
  'chain',
  // IPv4 networks and WireGuard keys, shared by the planner and the deployment checks.
  'net',
];

describeLayers('client', { src: resolve(__dirname, '../src'), test: __dirname, layers: LAYERS });
