/**
 * The gateway's way into private networks. The gateway runs in the node's namespace, and the
 * namespaces of different twins' networks may use the same ranges, so no route from the node can
 * reach them: one relay process per joined network (network-relay.js) runs inside the network's
 * namespace and listens on a Unix socket `<dir>/gw-<netId>.sock` (0600; the node listens on no new
 * port), dialling only addresses of that network. A relay is started when the first route on its
 * network needs it, supervised (restarted after a crash, with backoff), stopped when the last route
 * using it goes, at the agent's stop, and while its network is being removed (a process inside a
 * namespace would keep it alive). A relay is marked with its network, so one left by an agent that
 * was killed is found and replaced, never run twice.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import type { HostedNetwork } from '../network/handler';
import { sleep } from '../backoff';
import { CodedError } from '../coded-error';
import { workloadMark } from '../workloads/process-runtime';
import { findMarked, isAlive, MARKER_VAR } from '../workloads/proc';
import { killMarked, Supervised, waitGone } from '../workloads/supervised';

export type RelayErrorCode = 'not-ready' | 'bad-network';
export class RelayError extends CodedError<RelayErrorCode> {}

/** A network this node hosts, as a relay needs it. */
export interface RelayNetwork {
  /** The network's id on this node (names.ts: from the twin and the network's name). */
  netId: string;
  netns: string;
  /** The whole network's range: the only addresses the relay dials. */
  ipRange: string;
  /** The node's own addresses in the range (its subnet's gateway), never dialled. */
  own: string[];
}

export function relayNetwork(h: HostedNetwork): RelayNetwork {
  return { netId: h.netId, netns: h.netns, ipRange: h.ipRange, own: h.gateway ? [h.gateway] : [] };
}

export interface NetworkRelaysOptions {
  /** Where the sockets and logs go: the agent's `<dataDir>/run` (made 0700). */
  dir: string;
  logger: Logger;
  /** Connections a relay carries at once (default 1024). */
  maxConnections?: number;
  /** The relay's connect timeout to a backend (default 3000 ms). */
  connectTimeoutMs?: number;
  /** How long a (re)started relay may take to listen (default 10 s). */
  readyTimeoutMs?: number;
  restartMinMs?: number;
  restartMaxMs?: number;
  /** The node binary the relay runs on (default the agent's own). */
  node?: string;
}

interface Relay {
  spec: RelayNetwork;
  sup: Supervised;
  /** Route names using it. */
  users: Set<string>;
  /** Stopped while its network is being removed (users kept: it comes back with the network). */
  held: boolean;
}

const RELAY_JS = path.join(__dirname, 'network-relay.js');
/** A Unix socket path is at most 107 bytes on Linux. */
const MAX_SOCKET_PATH = 107;
const STOP_GRACE_MS = 3000;
const SOCKET_RE = /^gw-([0-9a-f]{1,16})\.(sock|log)$/;

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class NetworkRelays {
  readonly #o: NetworkRelaysOptions;
  readonly #log: Logger;
  readonly #relays = new Map<string, Relay>();
  /** Route name → the network it uses. */
  readonly #users = new Map<string, string>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(o: NetworkRelaysOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'gateway-relays' });
  }

  socketPath(netId: string): string {
    return path.join(this.#o.dir, `gw-${netId}.sock`);
  }

  /** The relay's pid (tests, status). */
  pid(netId: string): number | undefined {
    return this.#relays.get(netId)?.sup.pid;
  }

  /** Networks with a relay and the routes using each. */
  status(): Record<string, { pid: number | undefined; routes: string[]; restarts: number }> {
    return Object.fromEntries([...this.#relays].map(([id, r]) => [id, { pid: r.sup.pid, routes: [...r.users], restarts: r.sup.restarts }]));
  }

  /**
   * Route `user` goes through network `n`: its relay is started (or restarted for a changed
   * network) and answers once listening; answers the socket path. A route moving to another network
   * releases the previous one.
   */
  use(user: string, n: RelayNetwork): Promise<string> {
    return this.#serial(async () => {
      if (!/^[0-9a-f]{1,16}$/.test(n.netId)) throw new RelayError('bad-network', `network id ${n.netId.slice(0, 20)} is not a node network id`);
      const before = this.#users.get(user);
      if (before && before !== n.netId) await this.#drop(user);
      let r = this.#relays.get(n.netId);
      const changed = r && !sameNetwork(r.spec, n);
      if (r && changed) {
        await r.sup.stop(STOP_GRACE_MS);
        this.#relays.delete(n.netId);
        r = { ...r, spec: n, sup: this.#supervised(n) };
        this.#relays.set(n.netId, r);
        await this.#start(r);
      } else if (!r) {
        r = { spec: n, sup: this.#supervised(n), users: new Set(), held: false };
        this.#relays.set(n.netId, r);
        try {
          await this.#start(r);
        } catch (e) {
          await r.sup.stop(STOP_GRACE_MS);
          this.#relays.delete(n.netId);
          throw e;
        }
      }
      r.users.add(user);
      this.#users.set(user, n.netId);
      return this.socketPath(n.netId);
    });
  }

  /** Route `user` no longer uses a network: the last one out stops the relay. */
  release(user: string): Promise<void> {
    return this.#serial(() => this.#drop(user));
  }

  /** The network is about to be removed: its relay leaves the namespace (routes on it fail meanwhile). */
  hold(netId: string): Promise<void> {
    return this.#serial(async () => {
      const r = this.#relays.get(netId);
      if (!r || r.held) return;
      r.held = true;
      await r.sup.stop(STOP_GRACE_MS);
      rmSync(this.socketPath(netId), { force: true });
      this.#log.info({ netId }, 'network relay stopped while its network is removed');
    });
  }

  /** The network is up (again, or updated): a relay held for it runs again; one whose network changed is restarted. */
  resume(netId: string, n?: RelayNetwork): Promise<void> {
    return this.#serial(async () => {
      const r = this.#relays.get(netId);
      if (!r || (!r.held && (!n || sameNetwork(r.spec, n)))) return;
      if (!r.held) await r.sup.stop(STOP_GRACE_MS);
      r.held = false;
      if (n) r.spec = n;
      r.sup = this.#supervised(r.spec);
      await this.#start(r).catch((e: unknown) => this.#log.warn({ netId, err: (e as Error).message }, 'network relay not back yet; supervised'));
    });
  }

  /** Relays of this directory no route uses (left by a previous run): ended, their files removed. */
  sweep(): Promise<string[]> {
    return this.#serial(async () => {
      const ended: string[] = [];
      let files: string[] = [];
      try {
        files = readdirSync(this.#o.dir);
      } catch {
        return ended;
      }
      const ids = new Set(files.map((f) => SOCKET_RE.exec(f)?.[1]).filter((x): x is string => !!x));
      for (const id of ids) {
        if (this.#relays.has(id)) continue;
        await this.#killLeftovers(id);
        rmSync(this.socketPath(id), { force: true });
        rmSync(this.#logFile(id), { force: true });
        ended.push(id);
      }
      return ended;
    });
  }

  /** The agent stops: every relay ends (the next start brings back those its routes need). */
  stop(): Promise<void> {
    return this.#serial(async () => {
      for (const [id, r] of this.#relays) {
        await r.sup.stop(STOP_GRACE_MS);
        rmSync(this.socketPath(id), { force: true });
      }
      this.#relays.clear();
      this.#users.clear();
    });
  }

  async #drop(user: string): Promise<void> {
    const id = this.#users.get(user);
    if (!id) return;
    this.#users.delete(user);
    const r = this.#relays.get(id);
    if (!r) return;
    r.users.delete(user);
    if (r.users.size) return;
    await r.sup.stop(STOP_GRACE_MS);
    this.#relays.delete(id);
    rmSync(this.socketPath(id), { force: true });
    rmSync(this.#logFile(id), { force: true });
    this.#log.info({ netId: id }, 'network relay stopped: no route uses it');
  }

  #mark(netId: string): string {
    return workloadMark(this.#o.dir, `gw-relay-${netId}`);
  }

  #logFile(netId: string): string {
    return path.join(this.#o.dir, `gw-${netId}.log`);
  }

  #supervised(n: RelayNetwork): Supervised {
    const socket = this.socketPath(n.netId);
    if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
      this.#log.error({ socket }, `relay socket path longer than ${MAX_SOCKET_PATH} bytes: use a shorter data directory`);
      throw new RelayError('bad-network', "this node's data directory is too deep for the gateway's relay sockets");
    }
    const config = JSON.stringify({ socket, range: n.ipRange, exclude: n.own, maxConnections: this.#o.maxConnections ?? 1024, connectTimeoutMs: this.#o.connectTimeoutMs ?? 3000 });
    // A small heap: a relay only copies bytes between sockets.
    const argv = ['ip', 'netns', 'exec', n.netns, this.#o.node ?? process.execPath, '--max-old-space-size=32', '--max-semi-space-size=1', RELAY_JS, config];
    const mark = this.#mark(n.netId);
    return new Supervised({
      id: `gw-relay-${n.netId}`,
      mark,
      command: `exec ${argv.map(quote).join(' ')}`,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', [MARKER_VAR]: mark },
      cwd: this.#o.dir,
      logFile: this.#logFile(n.netId),
      logger: this.#log,
      restartMinMs: this.#o.restartMinMs ?? 500,
      restartMaxMs: this.#o.restartMaxMs ?? 30_000,
      stableAfterMs: 10_000,
      onSpawn: () => undefined,
    });
  }

  /** Ends what a previous run left for the network, then starts the relay and waits until it listens. */
  async #start(r: Relay): Promise<void> {
    const id = r.spec.netId;
    mkdirSync(this.#o.dir, { recursive: true, mode: 0o700 });
    await this.#killLeftovers(id);
    rmSync(this.socketPath(id), { force: true });
    await r.sup.start();
    const end = Date.now() + (this.#o.readyTimeoutMs ?? 10_000);
    while (!(await canConnect(this.socketPath(id)))) {
      if (Date.now() > end) {
        // The reason reaches the deployer: the node's paths stay in its own log.
        this.#log.error({ netId: id, log: this.#logFile(id) }, 'network relay did not start listening');
        throw new RelayError('not-ready', `the gateway's relay into network ${id} did not start within ${this.#o.readyTimeoutMs ?? 10_000} ms`);
      }
      await sleep(50);
    }
    this.#log.info({ netId: id, netns: r.spec.netns, pid: r.sup.pid }, 'network relay listening');
  }

  async #killLeftovers(netId: string): Promise<void> {
    const left = findMarked(this.#mark(netId)).filter((p) => isAlive(p));
    if (!left.length) return;
    this.#log.info({ netId, pids: left }, 'ending network relays left by a previous run');
    await waitGone(killMarked(this.#mark(netId)));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn, fn);
    this.#queue = p.catch(() => undefined);
    return p;
  }
}

function sameNetwork(a: RelayNetwork, b: RelayNetwork): boolean {
  return a.netns === b.netns && a.ipRange === b.ipRange && a.own.join() === b.own.join();
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path: socketPath });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
