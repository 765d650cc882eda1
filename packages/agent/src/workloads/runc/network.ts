/**
 * The node-local workload network: one Linux bridge on the host (`--workload-bridge`) holding the
 * first address of a node-local range (`--workload-subnet`), and per zmachine a network namespace
 * with loopback and one veth (eth0 inside, the other end on the bridge) with an address from the
 * range, persisted so a machine keeps it across restarts. The node (and its gateway) reach the
 * machine and the machine reaches the node; machines do not reach each other here (isolated ports).
 */
import { writeFileAtomic } from '@tfgrid/client';
import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { RuntimeError } from './errors';
import { tool, tryTool } from './run';

/** Default range: inside 10/8 but away from the 10.0–10.10 blocks home routers, clouds and Docker-likes pick. */
export const DEFAULT_WORKLOAD_SUBNET = '10.249.0.0/16';
export const DEFAULT_WORKLOAD_BRIDGE = 'tfgrid-wl0';

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;

/** The bridge name, or an error naming what is wrong with it (Linux interface names hold at most 15 characters). */
export function checkBridgeName(name: string): string {
  if (!IFNAME.test(name))
    throw new RuntimeError('invalid-spec', `workload bridge name '${name}' must be 1-15 characters of [A-Za-z0-9_.-]`);
  return name;
}

export interface Subnet {
  /** Network address as a 32-bit number. */
  base: number;
  prefix: number;
}

/** `10.249.0.0/16` → its base and prefix; a clear error for anything else (prefix 16..29, host bits zero). */
export function parseSubnet(s: string): Subnet {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : NaN;
  if (!m || octets.some((o) => o > 255) || prefix < 16 || prefix > 29)
    throw new RuntimeError('invalid-spec', `workload subnet '${s}' must be an IPv4 CIDR with a prefix of 16 to 29 bits`);
  const base = octets.reduce((a, o) => a * 256 + o, 0);
  if (base % 2 ** (32 - prefix) !== 0) throw new RuntimeError('invalid-spec', `workload subnet '${s}' has host bits set`);
  return { base, prefix };
}

export function ipString(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Interface and namespace names of one machine, from a short key unique per agent and workload. */
export function machineIfNames(key: string): { netns: string; hostVeth: string; peerVeth: string } {
  return { netns: `tfz-${key}`, hostVeth: `tfv${key}`, peerVeth: `tfp${key}` };
}

export interface WorkloadNetworkOptions {
  bridge: string;
  subnet: string;
  /** Where the address of each machine is kept (JSON id → address). */
  stateFile: string;
  logger: Logger;
}

export class WorkloadNetwork {
  readonly bridge: string;
  readonly subnet: Subnet;
  readonly #o: WorkloadNetworkOptions;
  readonly #log: Logger;
  #addresses: Record<string, string>;
  #bridgeReady: Promise<void> | undefined;

  constructor(o: WorkloadNetworkOptions) {
    this.#o = o;
    this.bridge = checkBridgeName(o.bridge);
    this.subnet = parseSubnet(o.subnet);
    this.#log = o.logger.child({ module: 'workload-network' });
    this.#addresses = readAddresses(o.stateFile);
  }

  /** The bridge's own address: the node's side of every machine. */
  get gateway(): string {
    return ipString(this.subnet.base + 1);
  }

  address(id: string): string | undefined {
    return this.#addresses[id];
  }

  /** Ids holding an address (to find leftovers). */
  ids(): string[] {
    return Object.keys(this.#addresses);
  }

  /** Creates the bridge with the gateway address (once; idempotent across agent runs). */
  ensureBridge(): Promise<void> {
    this.#bridgeReady ??= this.#makeBridge().catch((e: unknown) => {
      this.#bridgeReady = undefined;
      throw e;
    });
    return this.#bridgeReady;
  }

  async #makeBridge(): Promise<void> {
    const br = this.bridge;
    if ((await tryTool('ip', ['link', 'show', 'dev', br])) === undefined)
      await tool('ip', ['link', 'add', 'name', br, 'type', 'bridge'], 'network');
    await tool('ip', ['addr', 'replace', `${this.gateway}/${this.subnet.prefix}`, 'dev', br], 'network');
    await tool('ip', ['link', 'set', 'dev', br, 'up'], 'network');
    this.#log.info({ bridge: br, gateway: this.gateway, prefix: this.subnet.prefix }, 'workload bridge ready');
  }

  /** The machine's namespace, veth and address (kept when already complete: an adopted machine keeps running). */
  async attach(id: string, key: string): Promise<{ netns: string; address: string }> {
    await this.ensureBridge();
    const address = this.#allocate(id);
    const n = machineIfNames(key);
    const netns = `/run/netns/${n.netns}`;
    if (await this.#complete(n, address)) {
      await this.#isolate(n.hostVeth); // one made before ports were isolated
      return { netns, address };
    }
    await this.#teardown(n);
    const ip = (args: string[]) => tool('ip', args, 'network');
    await ip(['netns', 'add', n.netns]);
    await ip(['link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', n.peerVeth]);
    await ip(['link', 'set', n.peerVeth, 'netns', n.netns]);
    await ip(['-n', n.netns, 'link', 'set', n.peerVeth, 'name', 'eth0']);
    await ip(['-n', n.netns, 'addr', 'add', `${address}/${this.subnet.prefix}`, 'dev', 'eth0']);
    await ip(['-n', n.netns, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', n.netns, 'link', 'set', 'lo', 'up']);
    await ip(['-n', n.netns, 'route', 'add', 'default', 'via', this.gateway]);
    await ip(['link', 'set', n.hostVeth, 'master', this.bridge, 'up']);
    await this.#isolate(n.hostVeth);
    this.#log.info({ id, address, netns: n.netns }, 'machine network attached');
    return { netns, address };
  }

  /**
   * Machines on the bridge reach the node (the bridge's own address), never each other: an isolated
   * port forwards only to non-isolated ones, and every machine's port is isolated. Machines of one
   * user talk over their private network instead.
   */
  async #isolate(port: string): Promise<void> {
    await tool('ip', ['link', 'set', 'dev', port, 'type', 'bridge_slave', 'isolated', 'on'], 'network');
  }

  /** Removes the namespace and veth and frees the address (idempotent). */
  async detach(id: string, key: string): Promise<void> {
    await this.#teardown(machineIfNames(key));
    if (this.#addresses[id] !== undefined) {
      delete this.#addresses[id];
      this.#save();
    }
  }

  async #complete(n: ReturnType<typeof machineIfNames>, address: string): Promise<boolean> {
    if (!existsSync(`/run/netns/${n.netns}`)) return false;
    const inside = await tryTool('ip', ['-n', n.netns, '-j', 'addr', 'show', 'dev', 'eth0']);
    const host = await tryTool('ip', ['-j', 'link', 'show', 'dev', n.hostVeth]);
    if (!inside || !host) return false;
    const hasAddress = (JSON.parse(inside) as { addr_info?: { local?: string }[] }[]).some((l) =>
      l.addr_info?.some((a) => a.local === address),
    );
    const onBridge = (JSON.parse(host) as { master?: string }[]).some((l) => l.master === this.bridge);
    return hasAddress && onBridge;
  }

  async #teardown(n: ReturnType<typeof machineIfNames>): Promise<void> {
    await tryTool('ip', ['link', 'del', n.hostVeth]);
    if (existsSync(`/run/netns/${n.netns}`)) await tool('ip', ['netns', 'del', n.netns], 'network');
  }

  #allocate(id: string): string {
    const had = this.#addresses[id];
    if (had) return had;
    const used = new Set(Object.values(this.#addresses));
    const hosts = 2 ** (32 - this.subnet.prefix);
    // .0 is the network, .1 the bridge, the last the broadcast.
    for (let i = 2; i < hosts - 1; i++) {
      const a = ipString(this.subnet.base + i);
      if (used.has(a)) continue;
      this.#addresses[id] = a;
      this.#save();
      return a;
    }
    throw new RuntimeError('network', `no free address left in the workload subnet ${this.#o.subnet}`);
  }

  #save(): void {
    writeFileAtomic(this.#o.stateFile, JSON.stringify(this.#addresses));
  }
}

function readAddresses(file: string): Record<string, string> {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return {};
    return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}
