// The CLI's folders form layers: the program on top, its commands, then what the commands share.
import { resolve } from 'node:path';
import { describeLayers } from '@tfgrid/testkit';

/** Every folder of src, top to bottom; a folder may import the folders after it, never those before it. */
const LAYERS = [
  // The program: argument parsing, help, the bin's entry, the package's entry point.
  '.',
  // One file per command group (account, twin, farm, node, nodes, deploy, contracts, network, status).
  'commands',
  // What the commands share: the command types, the context, errors, output, units, deployment and network files, saved state.
  'core',
];

describeLayers('cli', { src: resolve(__dirname, '../src'), test: __dirname, layers: LAYERS });
