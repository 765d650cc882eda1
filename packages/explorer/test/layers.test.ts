// The explorer's folders form layers: each imports only the folders below it, so there is no
// circle between folders and the source reads top (the explorer, its HTTP API and routes) to bottom
// (the view, the database and the data model every folder shares).
import { resolve } from 'node:path';
import { describeLayers } from '@tfgrid/testkit';

/** Every folder of src, top to bottom; a folder may import the folders after it, never those before it. */
const LAYERS = [
  // The explorer (indexer and API over one database), its CLI and entry point.
  '.',
  // The HTTP API: the app, its hooks (strict numbers, validation messages) and the web page.
  'api',
  // The routes, each a folder; farms use the node search, so nodes come after the others.
  'api/twins',
  'api/stream',
  'api/stats',
  'api/rewards',
  'api/system',
  'api/contracts',
  'api/farms',
  'api/nodes',
  // What the routes share: their context, schema pieces and paging, the response cache, the body pool.
  'api/shared',
  // The indexer: blocks from the chain, their events applied to a write set, the reward inputs recorded.
  'indexer',
  // Farming rewards: periods, uptime, a node's reward from what the store holds.
  'rewards',
  // Prometheus metrics: the explorer's registry and the grid gauges over the view.
  'metrics',
  // The in-memory view: its indexes and columns, node totals, a node's status and facts, reputation, the change feed.
  'view',
  // The LevelDB store and its sortable keys.
  'db',
  // The data model: the records indexed and the answers' JSON shapes.
  'model',
];

describeLayers('explorer', { src: resolve(__dirname, '../src'), test: __dirname, layers: LAYERS });
