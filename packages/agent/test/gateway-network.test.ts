/**
 * The Web Gateway reaching the private side, for real (namespaces, WireGuard, Yggdrasil): a
 * private network across two nodes, its backend on the far node; the gateway node (its agent in
 * this process's namespace, its WireGuard sockets in a host namespace) serves it by name through
 * the network's relay while the client cannot reach the backend's address at all; refusals for a
 * network the node does not host and for backends outside the network; the relay supervised,
 * stopped with the last route, replaced (never doubled) after the agent is SIGKILLed; and a
 * zmachine's planetary address served by a gateway whose Yggdrasil TUN is in its own namespace.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Registry } from 'prom-client';
import type { Workload } from '@tfgrid/client';
import { machineAddress, networkData, planNetwork, type NetworkPlan } from '@tfgrid/client';
import {
  Gateway,
  GatewayNameProxyHandler,
  NetworkRelays,
  relayNetwork,
  type GatewayChain,
  type RelayError,
  type RelayNetwork,
} from '../src/gateway';
import { endHaproxyOn, haproxyOn } from '../src/gateway/haproxy';
import { NetworkHandler, networkId, PrivateNetworks } from '../src/network';
import { attachMachineRoute, Planetary } from '../src/planetary';
import { workloadMark } from '../src/workloads';
import { findMarked, isAlive, type HandlerContext, type WorkloadState } from '../src/core';
import { DOMAIN, silent } from './gateway-helpers';
import { handlerContext, until, workloadState } from './fixtures/workloads/helpers';
import { makeHosts, type Hosts } from './support/netns';

jest.setTimeout(180_000);

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '../../..');
const CHILD = path.join(__dirname, 'fixtures/gateway/node-child.ts');
const tag = (process.pid % 0xfff).toString(16).padStart(3, '0');
const T = `tfgn${tag}`;
const SUBNET = 60 + (process.pid % 10);
const TWIN = 7;
const FAR_MACHINE = `${T}-m`; // a machine's namespace on the far node, on the private network
const YGG_MACHINE = `${T}-y`; // a machine's namespace on the far node, on the planetary overlay

/** A backend: answers `far <url>` (and echoes after a WebSocket 101 with its Sec-WebSocket-Accept, RFC 6455 §4.2.2), run inside a namespace. */
const SERVER = `const http=require('http');const s=http.createServer((q,r)=>r.end('far '+q.url));
s.on('upgrade',(q,c)=>{const a=require('crypto').createHash('sha1').update(q.headers['sec-websocket-key']+'258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
c.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: '+a+'\\r\\n\\r\\n');c.on('data',d=>c.write('echo:'+d));c.on('error',()=>c.destroy())});
s.listen(80,process.argv[1],()=>console.log('listening'));`;
/** A second backend on the same machine, port 8080. */
const SECOND = `require('http').createServer((q,r)=>r.end('second '+q.url)).listen(8080,process.argv[1],()=>console.log('listening'));`;

let hosts: Hosts;
let dir: string;
let plan: NetworkPlan;
let gwNetworks: PrivateNetworks;
let farNetworks: PrivateNetworks;
let networkHandler: NetworkHandler;
let relays: NetworkRelays;
let gateway: Gateway;
let gwPort: number;
let handler: GatewayNameProxyHandler;
let farIp: string;
const servers: ChildProcess[] = [];
const overlays: Planetary[] = [];
const netId = networkId(TWIN, 'net');
const names = new Set<string>();
const chain: GatewayChain = {
  nodeDomain: async () => DOMAIN,
  nameContract: async (n) => (names.has(n) ? { id: 500, twinId: TWIN, state: 'Created' } : undefined),
};

const ctx = (contractId: number, workloads: Workload[] = []): HandlerContext =>
  handlerContext(contractId, TWIN, { workload: (n) => workloads.find((w) => w.name === n) });
const workload = (type: string, name: string, data: Record<string, unknown>): Workload => ({
  version: 0,
  name,
  type: type as Workload['type'],
  data,
  metadata: '',
  description: '',
});
const proxy = (name: string, backends: string[], network?: string): Workload =>
  workload('gateway-name-proxy', 'gw', { name, backends, ...(network ? { network } : {}) });
const state = (contractId: number, name: string, result: Record<string, unknown>): WorkloadState => workloadState(contractId, name, result);

/** GET through the gateway from this process (the gateway node's own namespace). */
function get(host: string, urlPath = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hosts.bridgeIp, port: gwPort, path: urlPath, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A GET from a client in namespace `ns` (a node process there; busybox nc half-closes after the
 * request, which Node's server takes for the client leaving): `<status> <body>`, or undefined.
 */
const CLIENT = `require('http').get({host:process.argv[1],port:process.argv[2],path:process.argv[4],headers:{host:process.argv[3]}},(r)=>{let b='';r.on('data',(c)=>b+=c);r.on('end',()=>{process.stdout.write(r.statusCode+' '+b)})}).on('error',()=>process.exit(1))`;
async function fetchIn(ns: string, ip: string, port: number, host: string, urlPath = '/'): Promise<string | undefined> {
  try {
    const { stdout } = await run('ip', ['netns', 'exec', ns, process.execPath, '-e', CLIENT, ip, String(port), host, urlPath], {
      timeout: 20_000,
    });
    return stdout || undefined;
  } catch {
    return undefined;
  }
}

/** Whether namespace `ns` has any route to `ip`. */
async function routes(ns: string, ip: string): Promise<boolean> {
  try {
    await run('ip', ['-n', ns, 'route', 'get', ip]);
    return true;
  } catch {
    return false;
  }
}

async function startServer(ns: string, listen: string, script = SERVER): Promise<void> {
  const p = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script, listen], { stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(p);
  await new Promise<void>((resolve, reject) => {
    p.stdout!.once('data', () => resolve());
    p.once('exit', (code) => reject(new Error(`backend server in ${ns} exited ${code}`)));
  });
}

/** Closed by the other side before or while we wrote (a relay that refuses closes with our bytes unread). */
const closedOnUs = (e: NodeJS.ErrnoException): boolean => e.code === 'ECONNRESET' || e.code === 'EPIPE';

/** An HTTP/1.0 GET over a target's socket (no preamble): all the relay sent back before closing ('' for a refusal). */
function getVia(socket: string, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ path: socket });
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('close', () => resolve(got));
    s.on('error', (e: NodeJS.ErrnoException) => (closedOnUs(e) ? resolve(got) : reject(e)));
    s.write(`GET ${urlPath} HTTP/1.0\r\n\r\n`);
  });
}

/** One line to a relay's control socket: its answer without the newline ('' when it closed without one). */
function control(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ path: socket });
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('close', () => resolve(got.trimEnd()));
    s.on('error', (e: NodeJS.ErrnoException) => (closedOnUs(e) ? resolve('') : reject(e)));
    s.write(`${line}\n`);
  });
}

/** The target sockets in a relay directory. */
const targetSockets = (d: string): string[] =>
  readdirSync(d)
    .filter((f) => /^gw-[0-9a-f]+-[0-9a-f]{12}\.sock$/.test(f))
    .sort();

/** The Unix socket paths process `pid` listens on (its namespace's socket table, matched to its descriptors). */
function listenedBy(pid: number): string[] {
  const fds = new Set(
    readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return '';
      }
    }),
  );
  return readFileSync(`/proc/${pid}/net/unix`, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c[3] === '00010000' && c[7] && fds.has(`socket:[${c[6]}]`))
    .map((c) => c[7]!)
    .sort();
}

async function sh(argv: string[]): Promise<void> {
  await run(argv[0]!, argv.slice(1));
}

/** A gateway node's agent process (fixtures/gateway/node-child.ts), optionally inside a namespace. */
interface NodeChild {
  p: ChildProcess;
  port: number;
  relayPid?: number;
  /** The socket of the target the child asked its relay for. */
  relaySocket?: string;
  ask(m: Record<string, unknown>): Promise<Record<string, unknown>>;
}

async function startChild(options: Record<string, unknown>, ns?: string): Promise<NodeChild> {
  const argv = [process.execPath, '--import', 'tsx', CHILD, JSON.stringify(options)];
  const p = spawn(ns ? 'ip' : argv[0]!, ns ? ['netns', 'exec', ns, ...argv] : argv.slice(1), {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const first = await new Promise<{ port: number; relayPid?: number; relaySocket?: string }>((resolve, reject) => {
    let out = '';
    p.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { port: number; relayPid?: number; relaySocket?: string });
    });
    p.once('exit', (code) => reject(new Error(`node child exited ${code}: ${err}`)));
  });
  const ask = (m: Record<string, unknown>): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      p.once('message', (r) => resolve(r as Record<string, unknown>));
      p.send(m);
    });
  return { p, ...first, ask };
}

async function stopChild(c: NodeChild): Promise<void> {
  if (c.p.exitCode !== null || c.p.signalCode !== null) return;
  const gone = new Promise((r) => c.p.once('exit', r));
  await c.ask({ stop: true });
  await gone;
}

beforeAll(async () => {
  // h0: the gateway node's host namespace (its WireGuard sockets); h1: the far node; h2: a client.
  // The bridge's 198.18.<n>.1 is the gateway node's agent (this process) on the "Internet".
  hosts = makeHosts(T, 3, SUBNET, { bridgeAddress: true });
  dir = mkdtempSync(path.join(tmpdir(), 'tfgn-'));
  let port = 51820; // in the host namespaces: no clash with anything outside them
  plan = planNetwork({
    name: 'net',
    nodes: [
      { nodeId: 1, endpoint: hosts.hosts[0]!.ip },
      { nodeId: 2, endpoint: hosts.hosts[1]!.ip },
    ],
    port: () => port++,
  });
  gwNetworks = new PrivateNetworks(`g${tag}`, silent, hosts.hosts[0]!.ns);
  farNetworks = new PrivateNetworks(`f${tag}`, silent, hosts.hosts[1]!.ns);
  relays = new NetworkRelays({ dir: path.join(dir, 'run'), logger: silent, restartMinMs: 100, restartMaxMs: 500 });
  networkHandler = new NetworkHandler(gwNetworks, {
    ready: (n) => relays.resume(n.netId, relayNetwork(n)),
    removing: (id) => relays.hold(id),
  });
  // The far node's part, and a machine on it serving HTTP at its private address.
  await farNetworks.ensure(netId, networkData(plan, 2));
  await sh(['ip', 'netns', 'add', FAR_MACHINE]);
  await sh(['ip', '-n', FAR_MACHINE, 'link', 'set', 'lo', 'up']);
  farIp = machineAddress(plan.nodes[1]!.subnet);
  await farNetworks.attach(netId, networkData(plan, 2), 'm', FAR_MACHINE, 0, farIp);
  await startServer(FAR_MACHINE, '0.0.0.0');
  await startServer(FAR_MACHINE, '0.0.0.0', SECOND);
  // The gateway node's part: the twin's network workload, in a deployment of its own (contract 10).
  await networkHandler.provision(workload('network', 'net', networkData(plan, 1) as unknown as Record<string, unknown>), ctx(10));
  gateway = new Gateway({
    logger: silent,
    httpAddress: `${hosts.bridgeIp}:0`,
    domain: DOMAIN,
    registry: new Registry(),
    limits: { healthIntervalMs: 0 },
  });
  await gateway.start();
  gwPort = Number(gateway.status().http!.split(':').pop());
  handler = new GatewayNameProxyHandler({
    gateway,
    chain,
    nodeId: 3,
    logger: silent,
    networks: { hosted: (t, n) => networkHandler.hosted(t, n), relays },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await relays?.stop();
  for (const s of servers) s.kill('SIGKILL');
  for (const o of overlays) await o.stop();
  await networkHandler?.deprovision(state(10, 'net', { network_id: netId }));
  await farNetworks?.remove(netId);
  for (const ns of [FAR_MACHINE, YGG_MACHINE]) await sh(['ip', 'netns', 'del', ns]).catch(() => undefined);
  hosts?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a backend on the far side of a private network is served by name; the client cannot reach its address', async () => {
  names.add('shop');
  const w = proxy('shop', [`http://${farIp}:80`], 'net');
  await handler.admit(w, ctx(20));
  const result = await handler.provision(w, ctx(20));
  expect(result).toMatchObject({ name: 'shop', fqdn: `shop.${DOMAIN}`, network: 'net' });
  // The relay listens on Unix sockets only their owner may use: its control socket, and the backend's own.
  expect(statSync(relays.controlPath(netId)).mode & 0o777).toBe(0o600);
  // Over WireGuard from the gateway node's network namespace to the far machine.
  expect(
    await until(
      'served over the network',
      async () => ((await get(`shop.${DOMAIN}`, '/hello')).status === 200 ? true : undefined),
      30_000,
      50,
    ),
  ).toBe(true);
  expect(statSync(relays.targetPath(netId, farIp, 80)).mode & 0o777).toBe(0o600);
  expect(await get(`shop.${DOMAIN}`, '/hello')).toEqual({ status: 200, body: 'far /hello' });
  // A client elsewhere on the Internet gets it by name, and has no route to the private address;
  // neither has the gateway node's host namespace.
  expect(await fetchIn(hosts.hosts[2]!.ns, hosts.bridgeIp!, gwPort, `shop.${DOMAIN}`, '/x')).toBe('200 far /x');
  expect(await routes(hosts.hosts[2]!.ns, farIp)).toBe(false);
  expect(await routes(hosts.hosts[0]!.ns, farIp)).toBe(false);
  // The health probe goes through the relay too.
  await gateway.checkHealth();
  expect(gateway.route('shop')).toMatchObject({ network: 'net', backends: [{ url: `http://${farIp}:80`, healthy: true }] });
  // A WebSocket-style upgrade is tunnelled through the relay as well.
  const reply = await new Promise<string>((resolve, reject) => {
    const s = net.connect(gwPort, hosts.bridgeIp!);
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n\r\n') && !got.includes('echo:')) s.write('ping');
      if (got.includes('echo:ping')) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
    s.write(
      `GET /ws HTTP/1.1\r\nHost: shop.${DOMAIN}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
  expect(reply).toMatch(/^HTTP\/1\.1 101/);
  // A backend that refuses: the relay closes its socket's connection before any byte, a 502.
  gateway.addRoute({
    name: 'dead',
    contractId: 21,
    backends: [`http://${farIp}:81`],
    network: { name: 'net', ipRange: plan.ipRange, own: [], via: relays.controlPath(netId) },
  });
  expect((await get(`dead.${DOMAIN}`)).status).toBe(502);
  gateway.removeRoute('dead');
});

test('a network the node does not host, or a backend outside the network, is refused with the reason', async () => {
  names.add('other');
  await expect(handler.admit(proxy('other', ['http://10.20.2.2'], 'nope'), ctx(30))).rejects.toThrow(
    /network 'nope' is not on this node: no network workload of twin 7 named 'nope'/,
  );
  // Another twin's network of the same name is not this twin's.
  await expect(handler.admit(proxy('other', ['http://10.20.2.2'], 'net'), { ...ctx(30), twinId: 8 })).rejects.toThrow(
    /network 'net' is not on this node/,
  );
  await expect(handler.admit(proxy('other', ['http://10.99.0.5'], 'net'), ctx(30))).rejects.toThrow(
    /backend http:\/\/10\.99\.0\.5 is outside network 'net' \(10\.20\.0\.0\/16\)/,
  );
  const own = plan.nodes[0]!.subnet.replace(/\.0\/24$/, '.1');
  await expect(handler.admit(proxy('other', [`http://${own}`], 'net'), ctx(30))).rejects.toThrow(
    /gateway node's own address on network 'net'/,
  );
  // Another node's side of the network is no machine either.
  await expect(handler.admit(proxy('other', ['http://10.20.3.1'], 'net'), ctx(30))).rejects.toThrow(
    /not a machine address of network 'net'/,
  );
  expect(() => handler.needs(proxy('other', ['https://10.20.2.2'], 'net'))).toThrow(/must be http:\/\/ on network 'net'/);
  expect(() => handler.needs(proxy('other', ['http://shop.example'], 'net'))).toThrow(/must be an IPv4 address of network 'net'/);
  expect(() => handler.needs(proxy('other', ['http://0x0a.20.2.2'], 'net'))).toThrow(/must be an IPv4 address/);
  // The same deployment's network workload counts before it is provisioned (admission sees the whole deployment).
  const local = workload('network', 'lan', { ...networkData(plan, 1), ip_range: '10.30.0.0/16', subnet: '10.30.1.0/24' });
  await handler.admit(proxy('other', ['http://10.30.2.2'], 'lan'), ctx(31, [local]));
  await expect(handler.admit(proxy('other', ['http://10.20.2.2'], 'lan'), ctx(31, [local]))).rejects.toThrow(/outside network 'lan'/);
  // A gateway that joins no networks says so.
  const plain = new GatewayNameProxyHandler({ gateway, chain, nodeId: 3, logger: silent });
  await expect(plain.admit(proxy('other', [`http://${farIp}`], 'net'), ctx(30))).rejects.toThrow(/joins no private networks/);
});

test('a relay opens a socket per target inside its network only, all served by one process, and carries at most maxConnections at once', async () => {
  const limitedDir = path.join(dir, 'limited');
  const limited = new NetworkRelays({ dir: limitedDir, logger: silent, maxConnections: 1, maxTargets: 3 });
  const n = relayNetwork(networkHandler.hosted(TWIN, 'net')!);
  const open = (ip: string, port = 80): Promise<string> =>
    limited.socketFor('probe', n, ip, port).then(
      () => 'opened',
      (e: RelayError) => e.code,
    );
  try {
    // Outside the range, the gateway node itself in the network, the far node's side, no port: refused, no socket.
    expect(await open('10.99.0.5')).toBe('out-of-range');
    expect(await open(n.own[0]!)).toBe('out-of-range');
    expect(await open('198.18.0.1')).toBe('out-of-range');
    expect(await open(farIp.replace(/\.\d+$/, '.1'))).toBe('out-of-range');
    expect(await open(farIp, 0)).toBe('bad-target');
    expect(await limited.socketFor('probe', n, '10.99.0.5', 80).catch((e: Error) => e.message)).toMatch(
      /target 10\.99\.0\.5:80 is not a machine address inside network [0-9a-f]+ \(10\.20\.0\.0\/16\)/,
    );
    expect(targetSockets(limitedDir)).toEqual([]);
    // The relay refuses on its own too, and takes only short, known commands.
    const ctl = limited.controlPath(netId);
    expect(await control(ctl, 'OPEN 10.99.0.5 80')).toBe('ERR EOUTOFRANGE');
    expect(await control(ctl, 'OPEN ../../x 80')).toBe('ERR EBADTARGET');
    expect(await control(ctl, 'EXEC rm')).toBe('ERR EBADCOMMAND');
    expect(await control(ctl, `OPEN ${'1'.repeat(80)}`)).toBe('');
    expect(targetSockets(limitedDir)).toEqual([]);
    // Two targets on the network: two sockets, each carried to its own backend, by the one relay process.
    const web = await limited.socketFor('probe', n, farIp, 80);
    const second = await limited.socketFor('probe', n, farIp, 8080);
    expect(web).toBe(limited.targetPath(netId, farIp, 80));
    expect(second).not.toBe(web);
    expect(Buffer.byteLength(second)).toBeLessThanOrEqual(107);
    expect(statSync(second).mode & 0o777).toBe(0o600);
    expect(await getVia(web, '/a')).toMatch(/\r\n\r\nfar \/a$/);
    expect(await until('second served', async () => (await getVia(second, '/b')) || undefined, 10_000, 50)).toMatch(/\r\n\r\nsecond \/b$/);
    const pid = limited.pid(netId)!;
    expect(findMarked(workloadMark(limitedDir, `gw-relay-${netId}`))).toEqual([pid]);
    expect(listenedBy(pid)).toEqual([ctl, web, second].sort());
    // A backend that refuses: its connection is closed before any byte.
    const dead = await limited.socketFor('probe', n, farIp, 81);
    expect(await getVia(dead, '/')).toBe('');
    expect(await open(farIp, 82)).toBe('too-many-targets');
    // One connection at most: a second one is closed at once; the slot is free again once the first closed.
    const held = net.connect({ path: web });
    await new Promise<void>((resolve) => {
      held.on('data', (d: Buffer) => d.toString().includes('far /held') && resolve());
      held.write('GET /held HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(await getVia(web, '/busy')).toBe('');
    held.destroy();
    expect(await until('a free slot', async () => (await getVia(web, '/again')) || undefined, 10_000, 50)).toMatch(/far \/again$/);
    // The route now lists one target: the others' sockets are closed; released, the relay stops.
    expect(await limited.targets('probe', n, [{ ip: farIp, port: 8080 }])).toEqual([second]);
    expect(targetSockets(limitedDir)).toEqual([path.basename(second)]);
    expect(listenedBy(pid)).toEqual([ctl, second].sort());
    await limited.release('probe');
    expect(limited.pid(netId)).toBeUndefined();
    expect(readdirSync(limitedDir).filter((f) => f.endsWith('.sock'))).toEqual([]);
  } finally {
    await limited.stop();
  }
  // A relay that never listens is given up on (and nothing of it is left running).
  const broken = new NetworkRelays({
    dir: path.join(dir, 'broken'),
    logger: silent,
    node: '/bin/false',
    readyTimeoutMs: 500,
    restartMinMs: 50,
    restartMaxMs: 100,
  });
  await expect(broken.use('probe', relayNetwork(networkHandler.hosted(TWIN, 'net')!))).rejects.toThrow(
    /relay into network [0-9a-f]+ did not start/,
  );
  expect(broken.pid(netId)).toBeUndefined();
  expect(findMarked(workloadMark(path.join(dir, 'broken'), `gw-relay-${netId}`))).toEqual([]);
});

test('the relay is supervised, and stops with the last route on its network', async () => {
  const mark = workloadMark(path.join(dir, 'run'), `gw-relay-${netId}`);
  const first = relays.pid(netId)!;
  expect(findMarked(mark)).toEqual([first]);
  process.kill(first, 'SIGKILL');
  await until('relay restarted', () => (relays.pid(netId) !== undefined && relays.pid(netId) !== first ? true : undefined), 20_000, 50);
  expect(await until('served again', async () => ((await get(`shop.${DOMAIN}`)).status === 200 ? true : undefined), 20_000, 50)).toBe(true);
  // The restarted relay opened the backend's socket again.
  expect(listenedBy(relays.pid(netId)!)).toContain(relays.targetPath(netId, farIp, 80));
  // A second route on the network shares the relay; the first one's removal leaves it running.
  names.add('shop2');
  const r2 = await handler.provision(proxy('shop2', [`http://${farIp}`], 'net'), ctx(22));
  const shared = relays.pid(netId);
  const r1 = gateway.route('shop')!;
  await handler.deprovision(state(20, 'gw', { name: r1.name }));
  expect((await get(`shop.${DOMAIN}`)).status).toBe(404);
  expect(relays.pid(netId)).toBe(shared);
  expect(await get(`shop2.${DOMAIN}`)).toMatchObject({ status: 200 });
  await handler.deprovision(state(22, 'gw', r2));
  expect(relays.pid(netId)).toBeUndefined();
  expect(findMarked(mark)).toEqual([]);
  expect(readdirSync(path.join(dir, 'run')).filter((f) => f.startsWith(`gw-${netId}`))).toEqual([]);
});

test('removing the network takes its relay out of the namespace; the network back brings the relay back', async () => {
  names.add('shop3');
  const r = await handler.provision(proxy('shop3', [`http://${farIp}`], 'net'), ctx(23));
  const before = relays.pid(netId)!;
  const { netns } = networkHandler.hosted(TWIN, 'net')!;
  const data = networkData(plan, 1) as unknown as Record<string, unknown>;
  await networkHandler.deprovision(state(10, 'net', { network_id: netId }));
  // A process left inside would have kept the namespace (and its interfaces) alive.
  expect(isAlive(before)).toBe(false);
  expect(existsSync(`/run/netns/${netns}`)).toBe(false);
  expect((await get(`shop3.${DOMAIN}`)).status).toBe(502);
  await networkHandler.provision(workload('network', 'net', data), ctx(10));
  expect(relays.pid(netId)).not.toBe(before);
  expect(await until('served again', async () => ((await get(`shop3.${DOMAIN}`)).status === 200 ? true : undefined), 30_000, 50)).toBe(
    true,
  );
  await handler.deprovision(state(23, 'gw', r));
  expect(relays.pid(netId)).toBeUndefined();
});

test('after a restart, a route on a network comes back from its previous result, before the chain or the network is', async () => {
  names.add('shop4');
  const w = proxy('shop4', [`http://${farIp}`], 'net');
  const r = await handler.provision(w, ctx(24));
  await handler.stop(state(24, 'gw', r)); // the agent stops: the route and its relay go
  expect(relays.pid(netId)).toBeUndefined();
  // Recovery runs before the chain is reached, and the network's own contract may come back later.
  const recovering = new GatewayNameProxyHandler({
    gateway,
    chain: () => undefined,
    nodeId: () => undefined,
    logger: silent,
    networks: { hosted: () => undefined, relays },
  });
  expect(await recovering.provision(w, ctx(24), state(24, 'gw', r))).toMatchObject({ network: 'net' });
  expect(await get(`shop4.${DOMAIN}`)).toEqual({ status: 200, body: 'far /' });
  await recovering.deprovision(state(24, 'gw', r));
  expect(relays.pid(netId)).toBeUndefined();
});

test('after the agent is SIGKILLed and restarted, the relay and the HAProxy it left are replaced, never doubled', async () => {
  const relayDir = path.join(dir, 'child-run');
  const runDir = path.join(dir, 'child-gateway');
  const config = path.join(runDir, 'haproxy.cfg');
  const spec: RelayNetwork = relayNetwork(networkHandler.hosted(TWIN, 'net')!);
  const mark = workloadMark(relayDir, `gw-relay-${netId}`);
  const target = { ip: farIp, port: 80 };
  const a = await startChild({ listen: '127.0.0.1:0', runDir, relayDir, relay: spec, target });
  expect(findMarked(mark)).toEqual([a.relayPid]);
  const aHaproxy = await haproxyOn(config);
  expect(aHaproxy.length).toBeGreaterThan(0);
  a.p.kill('SIGKILL');
  await new Promise((r) => a.p.once('exit', r));
  // The relay and the HAProxy outlived their agent.
  expect(isAlive(a.relayPid!)).toBe(true);
  expect(await haproxyOn(config)).toEqual(aHaproxy);
  const b = await startChild({ listen: '127.0.0.1:0', runDir, relayDir, relay: spec, target });
  try {
    expect(b.relayPid).not.toBe(a.relayPid);
    expect(isAlive(a.relayPid!)).toBe(false);
    const bHaproxy = await haproxyOn(config);
    expect(bHaproxy.length).toBeGreaterThan(0);
    expect(bHaproxy.filter((pid) => aHaproxy.includes(pid))).toEqual([]);
    expect(findMarked(mark)).toEqual([b.relayPid]);
    // The new relay carries traffic to the far machine, through the target's socket the agent asked it for.
    expect(b.relaySocket).toBe(path.join(relayDir, path.basename(relays.targetPath(netId, farIp, 80))));
    expect(await getVia(b.relaySocket!, '/relayed')).toMatch(/far \/relayed$/);
  } finally {
    await stopChild(b);
  }
  expect(findMarked(mark)).toEqual([]);
  expect(await haproxyOn(config)).toEqual([]);
  // A relay left for a network no route uses any more is ended by the next start's sweep.
  const c = await startChild({ listen: '127.0.0.1:0', runDir, relayDir, relay: spec, target });
  c.p.kill('SIGKILL');
  await new Promise((r) => c.p.once('exit', r));
  // (What the killed agent's HAProxy would be ended by: the next start on its directory.)
  expect((await endHaproxyOn(config)).length).toBeGreaterThan(0);
  expect(await haproxyOn(config)).toEqual([]);
  expect(findMarked(mark)).toEqual([c.relayPid]);
  expect(await new NetworkRelays({ dir: relayDir, logger: silent }).sweep()).toEqual([netId]);
  expect(findMarked(mark)).toEqual([]);
  expect(readdirSync(relayDir).filter((f) => f.endsWith('.sock'))).toEqual([]);
});

test("a zmachine's planetary address is served by a gateway whose Yggdrasil is in its own namespace; the node's own is refused", async () => {
  const [h0, h1, h2] = hosts.hosts as [(typeof hosts.hosts)[0], (typeof hosts.hosts)[0], (typeof hosts.hosts)[0]];
  const listen = `tcp://${h0.ip}:9001`;
  const node0 = new Planetary({ dir: path.join(dir, 'ygg0'), netns: h0.ns, listen: [listen], ifName: `${T}y0`, logger: silent });
  const node1 = new Planetary({ dir: path.join(dir, 'ygg1'), netns: h1.ns, peers: [listen], ifName: `${T}y1`, logger: silent });
  overlays.push(node0, node1);
  const self0 = await node0.start();
  const self1 = await node1.start();
  // A machine of the far node on the overlay, serving HTTP at its planetary address.
  await sh(['ip', 'netns', 'add', YGG_MACHINE]);
  await sh(['ip', '-n', YGG_MACHINE, 'link', 'set', 'lo', 'up']);
  const { address } = await attachMachineRoute({ hostNs: h1.ns, subnet: self1.subnet, machineNs: YGG_MACHINE, index: 5 });
  await startServer(YGG_MACHINE, '::');
  // The gateway node's agent runs in h0, where its Yggdrasil TUN is.
  const child = await startChild({ listen: `${h0.ip}:0` }, h0.ns);
  try {
    expect(await child.ask({ route: { name: 'ygg', backends: [`http://[${address}]:80`] } })).toEqual({ ok: true });
    expect(await child.ask({ route: { name: 'self', backends: [`http://[${self0.address}]:80`] } })).toEqual({
      error: expect.stringMatching(/points at the gateway node itself \(own address\)/),
    });
    expect(
      await until(
        'served over the overlay',
        async () => (await fetchIn(h2.ns, h0.ip, child.port, `ygg.${DOMAIN}`, '/p'))?.match(/^200 far \/p$/)?.[0],
        60_000,
        50,
      ),
    ).toBe('200 far /p');
    expect(await child.ask({ health: 'ygg' })).toEqual({ backends: [{ url: `http://[${address}]:80`, healthy: true }] });
    // The client has no way to the machine's address but through the gateway.
    expect(await routes(h2.ns, address)).toBe(false);
  } finally {
    await stopChild(child);
  }
});
