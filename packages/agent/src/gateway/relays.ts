/**
 * The gateway's way into private networks. The gateway runs in the node's namespace, and the
 * namespaces of different twins' networks may use the same ranges, so no route from the node can
 * reach them: one relay process per joined network (network-relay.js) runs inside the network's
 * namespace. It listens on a control socket `<dir>/gw-<netId>.sock` and, for every target (an
 * ipv4:port of the network) a route needs, on a socket of its own,
 * `<dir>/gw-<netId>-<8 hex ip><4 hex port>.sock`, whose connections go to that target as they are
 * (no preamble: HAProxy's `unix@<path>` servers use them). All are 0600; the node listens on no
 * new port. A relay is started when the first route on its network needs it, supervised
 * (restarted after a crash with backoff, its targets opened again), stopped when the last route
 * using it goes, at the agent's stop, and while its network is being removed (a process inside a
 * namespace would keep it alive). A relay is marked with its network, so one left by an agent that
 * was killed is found and replaced, never run twice.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import { containsIp, parseCidr4, parseIpv4 } from '@tfgrid/client';
import type { HostedNetwork } from '../network/handler';
import { sleep } from '../core/backoff';
import { CodedError } from '../core/coded-error';
import { workloadMark } from '../workloads/process-runtime';
import { findMarked, isAlive, MARKER_VAR } from '../core/proc';
import { killMarked, Supervised, waitGone } from '../workloads/supervised';

export type RelayErrorCode = 'not-ready' | 'bad-network' | 'bad-target' | 'out-of-range' | 'too-many-targets' | 'relay-failed';
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

/** An address and port inside a network, reached through its own socket. */
export interface RelayTarget {
  ip: string;
  port: number;
}

export function relayNetwork(h: HostedNetwork): RelayNetwork {
  return { netId: h.netId, netns: h.netns, ipRange: h.ipRange, own: h.gateway ? [h.gateway] : [] };
}

export interface NetworkRelaysOptions {
  /** Where the sockets and logs go: the agent's `<dataDir>/run` (made 0700). */
  dir: string;
  logger: Logger;
  /** Connections a relay carries at once, all its targets together (default 1024). */
  maxConnections?: number;
  /** Targets (sockets) one relay serves at once (default 256). */
  maxTargets?: number;
  /** The relay's connect timeout to a target (default 3000 ms). */
  connectTimeoutMs?: number;
  /** How long a (re)started relay may take to listen, and a control command to be answered (default 10 s). */
  readyTimeoutMs?: number;
  restartMinMs?: number;
  restartMaxMs?: number;
  /** The node binary the relay runs on (default the agent's own). */
  node?: string;
}

interface Target extends RelayTarget {
  path: string;
  /** Route names using it (ENGINE: opened through viaSocket for the data plane). */
  users: Set<string>;
  /** The relay listens on its socket (false while the relay is (re)starting or held). */
  open: boolean;
}

interface Relay {
  spec: RelayNetwork;
  sup: Supervised;
  /** Route names using it. */
  users: Set<string>;
  /** `ip:port` → target. */
  targets: Map<string, Target>;
  /** Stopped while its network is being removed (users and targets kept: they come back with the network). */
  held: boolean;
}

const RELAY_JS = path.join(__dirname, 'network-relay.js');
/** A Unix socket path is at most 107 bytes on Linux. */
const MAX_SOCKET_PATH = 107;
const STOP_GRACE_MS = 3000;
/** A relay's control socket, a target's socket, its log. */
const FILE_RE = /^gw-([0-9a-f]{1,16})(?:-[0-9a-f]{12})?\.(sock|log)$/;
/** Longest answer line a relay gives on its control socket. */
const MAX_ANSWER = 64;
/** The holder of targets the data plane opened through viaSocket (no route name is empty). */
const ENGINE = '';
const RELAY_CODES: Record<string, RelayErrorCode> = { EOUTOFRANGE: 'out-of-range', EBADTARGET: 'bad-target', ETOOMANY: 'too-many-targets' };

/** Control socket path → how the data plane gets a target's socket through it (see viaSocket). */
const byControl = new Map<string, (ip: string, port: number) => Promise<string>>();

/**
 * The socket of target `ip:port` behind the relay whose control socket is `via` (what `use`
 * answered), opened if need be: how the data plane finds the socket it gives HAProxy. Such a target is
 * kept until the relay stops.
 */
export function viaSocket(via: string, ip: string, port: number): Promise<string> {
  const open = byControl.get(via);
  if (!open) return Promise.reject(new RelayError('not-ready', 'no network relay of this agent is there'));
  return open(ip, port);
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const key = (ip: string, port: number): string => `${ip}:${port}`;
const hex = (n: number, digits: number): string => n.toString(16).padStart(digits, '0');

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

  /** The relay's control socket (what `use` answers: the data plane's `via`). */
  controlPath(netId: string): string {
    return path.join(this.#o.dir, `gw-${netId}.sock`);
  }

  /** The socket of a target: the same (network, ip, port) is always the same path, 12 hex digits after the network's id. */
  targetPath(netId: string, ip: string, port: number): string {
    return path.join(this.#o.dir, `gw-${netId}-${hex(parseIpv4(ip) ?? 0, 8)}${hex(port, 4)}.sock`);
  }

  /** The relay's pid (tests, status). */
  pid(netId: string): number | undefined {
    return this.#relays.get(netId)?.sup.pid;
  }

  /** Networks with a relay, the routes using each and its targets (`ip:port`). */
  status(): Record<string, { pid: number | undefined; routes: string[]; targets: string[]; restarts: number }> {
    return Object.fromEntries(
      [...this.#relays].map(([id, r]) => [
        id,
        { pid: r.sup.pid, routes: [...r.users], targets: [...r.targets.keys()], restarts: r.sup.restarts },
      ]),
    );
  }

  /**
   * Route `user` goes through network `n`: its relay is started (or restarted for a changed
   * network) and answers once listening; answers the control socket's path. A route moving to
   * another network releases the previous one.
   */
  use(user: string, n: RelayNetwork): Promise<string> {
    return this.#serial(async () => {
      await this.#enter(user, n);
      return this.controlPath(n.netId);
    });
  }

  /**
   * Route `user` reaches `ip:port` on network `n` (as `use`, plus the target): the path of the
   * target's socket, listening when this answers. Refused (RelayError, nothing opened) unless a
   * machine address inside the network's range: `out-of-range`, `bad-target`; `too-many-targets`
   * past maxTargets.
   */
  socketFor(user: string, n: RelayNetwork, ip: string, port: number): Promise<string> {
    return this.#serial(async () => {
      const r = await this.#enter(user, n);
      return (await this.#add(r, user, [{ ip, port }]))[0]!;
    });
  }

  /**
   * Route `user` reaches exactly `targets` on network `n`: the paths of their sockets in the same
   * order. Targets it no longer lists are given back (a socket no route uses is closed). On a
   * refusal nothing of this call is kept (the route's previous targets stay).
   */
  targets(user: string, n: RelayNetwork, targets: RelayTarget[]): Promise<string[]> {
    return this.#serial(async () => {
      const r = await this.#enter(user, n);
      const paths = await this.#add(r, user, targets);
      const wanted = new Set(targets.map((t) => key(t.ip, t.port)));
      for (const t of [...r.targets.values()]) if (t.users.has(user) && !wanted.has(key(t.ip, t.port))) await this.#leave(r, t, user);
      return paths;
    });
  }

  /** Route `user` no longer uses a network: its targets are given back, the last one out stops the relay. */
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
      this.#removeSockets(netId);
      for (const t of r.targets.values()) t.open = false;
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
      r.sup = this.#supervised(r.spec, () => this.#respawned(r));
      await this.#start(r).catch((e: unknown) =>
        this.#log.warn({ netId, err: (e as Error).message }, 'network relay not back yet; supervised'),
      );
    });
  }

  /** Relays of this directory no route uses (left by a previous run): ended, their files removed. */
  sweep(): Promise<string[]> {
    return this.#serial(async () => {
      const ended: string[] = [];
      let files: string[];
      try {
        files = readdirSync(this.#o.dir);
      } catch {
        return ended;
      }
      const ids = new Set(files.map((f) => FILE_RE.exec(f)?.[1]).filter((x): x is string => !!x));
      for (const id of ids) {
        if (this.#relays.has(id)) continue;
        await this.#killLeftovers(id);
        this.#removeSockets(id);
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
        this.#removeSockets(id);
        byControl.delete(this.controlPath(id));
      }
      this.#relays.clear();
      this.#users.clear();
    });
  }

  /** The relay of `n` running (started, or restarted for a changed network) with `user` among its routes. */
  async #enter(user: string, n: RelayNetwork): Promise<Relay> {
    if (!/^[0-9a-f]{1,16}$/.test(n.netId))
      throw new RelayError('bad-network', `network id ${n.netId.slice(0, 20)} is not a node network id`);
    const before = this.#users.get(user);
    if (before && before !== n.netId) await this.#drop(user);
    let r = this.#relays.get(n.netId);
    if (r && !sameNetwork(r.spec, n)) {
      const changed = r;
      await changed.sup.stop(STOP_GRACE_MS);
      changed.spec = n;
      changed.sup = this.#supervised(n, () => this.#respawned(changed));
      // Targets now outside the range stay refused (logged); the route's next change drops them.
      if (!changed.held) await this.#start(changed);
    } else if (!r) {
      const relay: Relay = {
        spec: n,
        users: new Set(),
        targets: new Map(),
        held: false,
        sup: this.#supervised(n, () => this.#respawned(relay)),
      };
      this.#relays.set(n.netId, relay);
      try {
        await this.#start(relay);
      } catch (e) {
        await relay.sup.stop(STOP_GRACE_MS);
        this.#relays.delete(n.netId);
        throw e;
      }
      byControl.set(this.controlPath(n.netId), (ip, port) => this.#engineSocket(relay, ip, port));
      r = relay;
    }
    r.users.add(user);
    this.#users.set(user, n.netId);
    return r;
  }

  /** `user` holds each of `list` (opened as needed): their paths. On a refusal, what this call opened is closed again. */
  async #add(r: Relay, user: string, list: RelayTarget[]): Promise<string[]> {
    const added: Target[] = [];
    try {
      const paths: string[] = [];
      for (const { ip, port } of list) {
        const t = await this.#target(r, ip, port);
        if (!t.users.has(user)) added.push(t);
        t.users.add(user);
        paths.push(t.path);
      }
      return paths;
    } catch (e) {
      for (const t of added) await this.#leave(r, t, user);
      throw e;
    }
  }

  /** The target `ip:port` of relay `r`, checked and opened (while the relay is held: opened when it is back). */
  async #target(r: Relay, ip: string, port: number): Promise<Target> {
    const k = key(ip, port);
    let t = r.targets.get(k);
    if (!t) {
      const why = refusal(r.spec, ip, port);
      if (why) throw why;
      if (r.targets.size >= (this.#o.maxTargets ?? 256))
        throw new RelayError('too-many-targets', `the relay into network ${r.spec.netId} serves ${r.targets.size} targets already`);
      t = { ip, port, path: this.targetPath(r.spec.netId, ip, port), users: new Set(), open: false };
      r.targets.set(k, t);
    }
    if (!t.open && !r.held) {
      try {
        await this.#openTarget(r, t);
      } catch (e) {
        if (!t.users.size) r.targets.delete(k);
        throw e;
      }
    }
    return t;
  }

  async #openTarget(r: Relay, t: Target): Promise<void> {
    const answer = await this.#ask(r.spec.netId, `OPEN ${t.ip} ${t.port}`);
    if (answer !== 'OK') {
      const code = /^ERR ([A-Z]{1,16})$/.exec(answer)?.[1] ?? '';
      const refused = RELAY_CODES[code];
      if (refused) throw new RelayError(refused, `target ${t.ip}:${t.port} refused by the relay into network ${r.spec.netId} (${code})`);
      this.#log.error(
        { netId: r.spec.netId, target: key(t.ip, t.port), answer: answer.slice(0, MAX_ANSWER) },
        'network relay could not open a target socket',
      );
      throw new RelayError('relay-failed', `the relay into network ${r.spec.netId} could not open target ${t.ip}:${t.port}`);
    }
    t.open = true;
  }

  /** `user` gives target `t` back; no one left: its socket is closed. */
  async #leave(r: Relay, t: Target, user: string): Promise<void> {
    t.users.delete(user);
    if (t.users.size) return;
    r.targets.delete(key(t.ip, t.port));
    if (t.open && !r.held)
      await this.#ask(r.spec.netId, `CLOSE ${t.ip} ${t.port}`).catch((e: unknown) =>
        this.#log.warn({ netId: r.spec.netId, err: (e as Error).message }, 'network relay did not close a target'),
      );
    rmSync(t.path, { force: true });
  }

  /** For the data plane (viaSocket): an open target answers at once, else it is opened, held by ENGINE. */
  #engineSocket(r: Relay, ip: string, port: number): Promise<string> {
    const t = r.targets.get(key(ip, port));
    if (t?.open && !r.held && this.#relays.get(r.spec.netId) === r) return Promise.resolve(t.path);
    return this.#serial(async () => {
      if (this.#relays.get(r.spec.netId) !== r) throw new RelayError('not-ready', `no relay into network ${r.spec.netId} runs`);
      if (r.held) throw new RelayError('not-ready', `network ${r.spec.netId} is being removed`);
      return (await this.#add(r, ENGINE, [{ ip, port }]))[0]!;
    });
  }

  async #drop(user: string): Promise<void> {
    const id = this.#users.get(user);
    if (!id) return;
    this.#users.delete(user);
    const r = this.#relays.get(id);
    if (!r) return;
    r.users.delete(user);
    if (r.users.size) {
      for (const t of [...r.targets.values()]) if (t.users.has(user)) await this.#leave(r, t, user);
      return;
    }
    await r.sup.stop(STOP_GRACE_MS);
    this.#relays.delete(id);
    byControl.delete(this.controlPath(id));
    this.#removeSockets(id);
    rmSync(this.#logFile(id), { force: true });
    this.#log.info({ netId: id }, 'network relay stopped: no route uses it');
  }

  #mark(netId: string): string {
    return workloadMark(this.#o.dir, `gw-relay-${netId}`);
  }

  #logFile(netId: string): string {
    return path.join(this.#o.dir, `gw-${netId}.log`);
  }

  /** The control socket and every target socket of the network. */
  #removeSockets(netId: string): void {
    rmSync(this.controlPath(netId), { force: true });
    let files: string[];
    try {
      files = readdirSync(this.#o.dir);
    } catch {
      return;
    }
    for (const f of files) if (f.startsWith(`gw-${netId}-`) && FILE_RE.test(f)) rmSync(path.join(this.#o.dir, f), { force: true });
  }

  /** A relay restarted after a crash: its targets are opened again. */
  #respawned(r: Relay): void {
    for (const t of r.targets.values()) t.open = false;
    void this.#serial(() => (!r.held && this.#relays.get(r.spec.netId) === r ? this.#reopen(r) : Promise.resolve())).catch((e: unknown) =>
      this.#log.warn({ netId: r.spec.netId, err: (e as Error).message }, 'restarted network relay not answering yet'),
    );
  }

  /** The relay's process for network `n`; `onRespawn` after each restart (not the first spawn: #start opens the targets then). */
  #supervised(n: RelayNetwork, onRespawn: () => void): Supervised {
    const control = this.controlPath(n.netId);
    const longest = this.targetPath(n.netId, '0.0.0.0', 0);
    if (Buffer.byteLength(longest) > MAX_SOCKET_PATH) {
      this.#log.error({ socket: longest }, `relay socket path longer than ${MAX_SOCKET_PATH} bytes: use a shorter data directory`);
      throw new RelayError('bad-network', "this node's data directory is too deep for the gateway's relay sockets");
    }
    const config = JSON.stringify({
      control,
      targetPrefix: path.join(this.#o.dir, `gw-${n.netId}-`),
      range: n.ipRange,
      exclude: n.own,
      maxConnections: this.#o.maxConnections ?? 1024,
      maxTargets: this.#o.maxTargets ?? 256,
      connectTimeoutMs: this.#o.connectTimeoutMs ?? 3000,
    });
    // A small heap: a relay only copies bytes between sockets.
    const argv = [
      'ip',
      'netns',
      'exec',
      n.netns,
      this.#o.node ?? process.execPath,
      '--max-old-space-size=32',
      '--max-semi-space-size=1',
      RELAY_JS,
      config,
    ];
    const mark = this.#mark(n.netId);
    let spawns = 0;
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
      onSpawn: () => {
        if (spawns++ > 0) onRespawn();
      },
    });
  }

  /** Ends what a previous run left for the network, then starts the relay, waits until it listens, opens its targets. */
  async #start(r: Relay): Promise<void> {
    const id = r.spec.netId;
    mkdirSync(this.#o.dir, { recursive: true, mode: 0o700 });
    await this.#killLeftovers(id);
    this.#removeSockets(id);
    for (const t of r.targets.values()) t.open = false;
    await r.sup.start();
    await this.#reopen(r);
    this.#log.info({ netId: id, netns: r.spec.netns, pid: r.sup.pid, targets: r.targets.size }, 'network relay listening');
  }

  /** Waits until the relay answers, then opens every target it should serve (a refused one is logged and stays closed). */
  async #reopen(r: Relay): Promise<void> {
    const id = r.spec.netId;
    const end = Date.now() + (this.#o.readyTimeoutMs ?? 10_000);
    while (
      !(await this.#ask(id, 'PING').then(
        (a) => a.startsWith('OK '),
        () => false,
      ))
    ) {
      if (Date.now() > end) {
        // The reason reaches the deployer: the node's paths stay in its own log.
        this.#log.error({ netId: id, log: this.#logFile(id) }, 'network relay did not start listening');
        throw new RelayError(
          'not-ready',
          `the gateway's relay into network ${id} did not start within ${this.#o.readyTimeoutMs ?? 10_000} ms`,
        );
      }
      await sleep(50);
    }
    for (const t of r.targets.values()) {
      await this.#openTarget(r, t).catch((e: unknown) =>
        this.#log.warn({ netId: id, target: key(t.ip, t.port), err: (e as Error).message }, 'network relay target not opened'),
      );
    }
  }

  /** One control command to the network's relay: its answer line. */
  #ask(netId: string, line: string): Promise<string> {
    return ask(this.controlPath(netId), line, this.#o.readyTimeoutMs ?? 10_000).catch((e: unknown) => {
      throw e instanceof RelayError
        ? e
        : new RelayError(
            'relay-failed',
            `the relay into network ${netId} is not answering (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
          );
    });
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

/** Why `ip:port` is no target on network `n` (the relay's own rule, checked here too for a clear reason first), or undefined. */
function refusal(n: RelayNetwork, ip: string, port: number): RelayError | undefined {
  const a = typeof ip === 'string' ? parseIpv4(ip) : undefined;
  if (a === undefined || !Number.isInteger(port) || port < 1 || port > 65535)
    return new RelayError('bad-target', `target ${String(ip).slice(0, 20)}:${String(port).slice(0, 8)} is not an IPv4 address and port`);
  const range = parseCidr4(n.ipRange);
  // .0, .1 (a node's own side of the network) and .255 of each /24 are no machine's.
  if (!range || !containsIp(range, a) || n.own.includes(ip) || a % 256 < 2 || a % 256 === 255) {
    return new RelayError('out-of-range', `target ${ip}:${port} is not a machine address inside network ${n.netId} (${n.ipRange})`);
  }
  return undefined;
}

/** One line to a relay's control socket and its one-line answer, bounded in size and time. */
function ask(control: string, line: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ path: control });
    let got = '';
    const done = (err: Error | undefined, answer?: string): void => {
      clearTimeout(timer);
      s.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    const timer = setTimeout(() => done(new RelayError('relay-failed', 'network relay did not answer in time')), timeoutMs);
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      const eol = got.indexOf('\n');
      if (eol >= 0) done(undefined, got.slice(0, eol));
      else if (got.length > MAX_ANSWER) done(new RelayError('relay-failed', 'network relay answer too long'));
    });
    s.once('error', (e) => done(e));
    s.once('close', () => done(new RelayError('relay-failed', 'network relay closed its control connection without an answer')));
    s.once('connect', () => s.write(`${line}\n`));
  });
}
