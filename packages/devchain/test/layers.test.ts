// The dev chain's folders, nested ones included, form layers: each imports only the folders below
// it, so there is no circle between folders and the source reads top (rpc) to bottom (state, util).
import { resolve } from 'node:path';
import { describeLayers } from '@tfgrid/testkit';

/** Every folder of src, top to bottom; a folder may import the folders after it, never those before it. */
const LAYERS = [
  '.',
  'rpc/methods',
  'rpc',
  'chain',
  'runtime',
  'metadata',
  'pallets/smart-contract',
  'pallets/tfgrid',
  'pallets',
  'pallets/definition',
  'state',
  'crypto',
  'scale',
  'util',
];

describeLayers('devchain', { src: resolve(__dirname, '../src'), test: __dirname, layers: LAYERS });
