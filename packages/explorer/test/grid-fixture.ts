/**
 * An explorer API over a small grid written straight into a GridView (no chain): farms, twins,
 * nodes and contracts, listening on loopback. Requests go over the socket (keep-alive): fastify's
 * inject needs ES-module-only packages (cookie) that the CommonJS test runner cannot load.
 */
import type { FastifyInstance } from 'fastify';
import { GiB } from '@tfgrid/client';
import { key, type Op } from '../src/db';
import {
  buildApp,
  ExplorerDb,
  GridView,
  type AppOptions,
  type ContractRecord,
  type FarmRecord,
  type NodeRecord,
  type TwinRecord,
} from '../src';
import { tempDir } from './support';

export const FIXTURE = { farms: 3, nodesPerFarm: 4, twins: 6, contracts: 8 };

function node(id: number, farmId: number, now: number): NodeRecord {
  return {
    nodeId: id,
    farmId,
    twinId: 100 + id,
    gridVersion: 1,
    total: { cru: 4 + id, mru: 16 * GiB, sru: 500 * GiB, hru: id % 2 ? 2000 * GiB : 0 },
    used: { cru: 1, mru: GiB, sru: 0, hru: 0 },
    location: { country: id % 2 ? 'Belgium' : 'Egypt', city: id % 2 ? 'Ghent' : 'Cairo', latitude: '0', longitude: '0' },
    publicConfig: { ipv4: id % 3 ? '' : '185.0.0.1/24', gw4: '', ipv6: '', gw6: '', domain: id % 4 ? '' : `gw${id}.example.com` },
    interfaces: [],
    created: now - 86400,
    farmingPolicyId: 1,
    certificationType: 'Diy',
    secureBoot: false,
    virtualized: false,
    serialNumber: '',
    connectionPrice: 80,
    uptime: 1000,
    lastUptimeReport: id % 5 ? now - 60 : now - 86400 * 3,
    updatedAt: now - 3600,
    power: { state: 'Up', target: 'Up', downSinceBlock: null, downAt: null },
    activeContracts: 0,
    rentContractId: 0,
    rentedByTwinId: 0,
    deleted: false,
  };
}
const farm = (id: number): FarmRecord => ({
  farmId: id,
  name: `farm_${id}`,
  twinId: id,
  pricingPolicyId: 1,
  certificationType: 'NotCertified',
  dedicated: id === 2,
  stellarAddress: '',
  publicIps: [{ ip: `185.0.${id}.2/24`, gateway: `185.0.${id}.1`, contractId: 0 }],
});
const twin = (id: number): TwinRecord => ({ twinId: id, accountId: `5Account${id}`, relay: 'relay.dev.grid.tf', publicKey: null });
const contract = (id: number, now: number): ContractRecord => ({
  contractId: id,
  twinId: 1 + (id % FIXTURE.twins),
  type: id % 3 === 0 ? 'name' : id % 3 === 1 ? 'node' : 'rent',
  state: id % 4 ? 'Created' : 'Deleted',
  nodeId: 1 + (id % 4),
  name: id % 3 === 0 ? `name${id}` : '',
  deploymentHash: id % 3 === 1 ? `hash${id}` : '',
  deploymentData: '',
  numberOfPublicIps: 0,
  publicIps: [],
  solutionProviderId: null,
  resources: { cru: 1, mru: GiB, sru: 0, hru: 0 },
  createdAt: now - 1000 + id,
  updatedAt: now - 1000 + id,
  billed: id * 10,
});

export interface Answer {
  status: number;
  type: string;
  text: string;
  json<T = unknown>(): T;
}

export interface GridApp {
  app: FastifyInstance;
  view: GridView;
  /** Where it listens (http://127.0.0.1:port). */
  url: string;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  close(): Promise<void>;
}

/** The API over the fixture grid, listening on a free loopback port. */
export async function gridApp(opts: Omit<AppOptions, 'db' | 'view'> = {}): Promise<GridApp> {
  const now = Math.floor(Date.now() / 1000);
  const tmp = tempDir();
  const db = new ExplorerDb(tmp.dir);
  await db.open();
  const view = new GridView();
  const ops: Op[] = [];
  const put = (sub: Op['sub'], id: number, value: unknown) => ops.push({ type: 'put', sub, key: key(id), value });
  for (let t = 1; t <= FIXTURE.twins; t++) put('twin', t, twin(t));
  for (let f = 1; f <= FIXTURE.farms; f++) put('farm', f, farm(f));
  for (let n = 1; n <= FIXTURE.farms * FIXTURE.nodesPerFarm; n++) put('node', n, node(n, 1 + ((n - 1) % FIXTURE.farms), now));
  for (let c = 1; c <= FIXTURE.contracts; c++) put('contract', c, contract(c, now));
  view.commit(ops, { height: 1, hash: '0x01', timestamp: now });
  let app: FastifyInstance;
  let url: string;
  try {
    app = await buildApp({ ...opts, db, view });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (e) {
    await db.close();
    tmp.remove();
    throw e;
  }
  return {
    app,
    view,
    url,
    async get(path, headers = {}) {
      const r = await fetch(url + path, { headers });
      const text = await r.text();
      return { status: r.status, type: r.headers.get('content-type') ?? '', text, json: <T>() => JSON.parse(text) as T };
    },
    async close() {
      await app.close();
      await db.close();
      tmp.remove();
    },
  };
}
