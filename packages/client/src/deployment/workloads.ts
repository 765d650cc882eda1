/** The data each workload type carries, and the rules a node checks before provisioning it. */
import type { Problem } from './errors';
import type { WorkloadType } from './document';
import { gatewayFqdnProblems, gatewayNameProblems } from './gateway-data';
import { machineNetworkProblems, networkProblems, publicIpProblems, type MachineNetwork } from './network-data';

/** `volume`: a disk of `size` bytes. */
export interface VolumeData {
  size: number;
}

/** An image by content: a root filesystem tarball (tar, tar.gz, tar.zst) or OCI layout tarball at `url`, checked against `sha256`. */
export interface ImageRef {
  url: string;
  /** 64 lower-case hex digits of the archive's SHA-256. */
  sha256: string;
}

/** Zero-OS `compute_capacity`. */
export interface ComputeCapacity {
  /** Logical CPUs. */
  cpu: number;
  /** Bytes. */
  memory: number;
}

/** A volume or zmount of the same deployment, by name, at a path inside the machine. */
export interface MachineMount {
  name: string;
  mountpoint: string;
}

/**
 * `zmachine` (Zero-OS's name; `vm` is an alias with the same data): a machine run from `image`
 * (or a Zero-OS `flist`, which this node recognises and refuses), with volumes/zmounts mounted.
 */
export interface ZmachineData {
  flist?: string;
  image?: ImageRef;
  /** Bytes of the writable root filesystem; 0/absent = the node's default. */
  size?: number;
  compute_capacity: ComputeCapacity;
  mounts?: MachineMount[];
  entrypoint?: string;
  env?: Record<string, string>;
  /** Private networks it joins, planetary, public IP. */
  network?: MachineNetwork;
}

/** The old name of the zmachine's data. */
export type VmData = ZmachineData;

/** `zmount`: a raw disk of `size` bytes for one zmachine (an ext4 filesystem at its mountpoint). */
export interface ZmountData {
  size: number;
}

/** Zero-OS's GatewayBase: what both gateway workloads carry. */
export interface GatewayBaseData {
  /**
   * `http(s)://host[:port]` each; with `tls_passthrough`, `IP:port` (IPv4 or `[IPv6]`) of a
   * backend that terminates TLS itself. At most 16.
   */
  backends: string[];
  /** The gateway does not terminate TLS: it routes the connection by its SNI to the backends. */
  tls_passthrough?: boolean;
  /** A private network of the twin the gateway node joins (a `network` workload of the deployment); the backends are then its machines' addresses. */
  network?: string;
}

/** `gateway-name-proxy`: `<name>.<gateway domain>` proxied to the backends; `name` is a name contract of the twin. */
export interface GatewayNameProxyData extends GatewayBaseData {
  name: string;
}

/**
 * `gateway-fqdn-proxy`: the deployer's own domain proxied to the backends. Its DNS must point at
 * the gateway node; it may not be the node's domain or under it (those are for name contracts).
 * No name contract: the domain is the deployer's.
 */
export interface GatewayFQDNProxyData extends GatewayBaseData {
  fqdn: string;
}

const MiB = 1024 * 1024;
const posInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x > 0;

export function validateWorkloadData(type: WorkloadType, d: Record<string, unknown>, path: string): Problem[] {
  const out: Problem[] = [];
  const bad = (field: string, message: string) => out.push({ path: `${path}.${field}`, message });
  switch (type) {
    case 'volume':
      if (!posInt(d.size)) bad('size', 'must be a positive integer (bytes)');
      break;
    case 'zmount':
      if (!posInt(d.size)) bad('size', 'must be a positive integer (bytes)');
      break;
    case 'zmachine':
    case 'vm':
      zmachineProblems(d, bad);
      break;
    case 'network':
      networkProblems(d, bad);
      break;
    case 'ip':
      publicIpProblems(d, bad);
      break;
    case 'gateway-name-proxy':
      gatewayNameProblems(d, bad);
      break;
    case 'gateway-fqdn-proxy':
      gatewayFqdnProblems(d, bad);
      break;
  }
  return out;
}

/** Limits on what a deployer may hand a node (the whole deployment travels sealed in ≤ 2 KiB chunks). */
const MAX_ENTRYPOINT = 4096;
const MAX_ENV = 128;
const MAX_MOUNTS = 32;

function zmachineProblems(d: Record<string, unknown>, bad: (field: string, message: string) => void): void {
  const hasFlist = d.flist !== undefined;
  const hasImage = d.image !== undefined;
  if (hasFlist === hasImage) bad(hasImage ? 'flist' : 'image', 'give exactly one of image {url, sha256} or flist');
  if (hasFlist && (typeof d.flist !== 'string' || !/^https?:\/\/\S+$/.test(d.flist))) bad('flist', 'must be an http(s) URL');
  if (hasImage) {
    const img = d.image as Partial<ImageRef> | null;
    if (typeof img !== 'object' || img === null || Array.isArray(img)) bad('image', 'must be an object {url, sha256}');
    else {
      if (typeof img.url !== 'string' || img.url.length > 2048 || !/^https?:\/\/\S+$/.test(img.url))
        bad('image.url', 'must be an http(s) URL of at most 2048 characters');
      if (typeof img.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(img.sha256)) bad('image.sha256', 'must be 64 lower-case hex digits');
    }
  }
  if (d.size !== undefined && !(Number.isSafeInteger(d.size) && (d.size as number) >= 0)) bad('size', 'must be an integer >= 0 (bytes)');
  const cc = d.compute_capacity as Partial<ComputeCapacity> | null | undefined;
  if (typeof cc !== 'object' || cc === null || Array.isArray(cc)) bad('compute_capacity', 'must be an object {cpu, memory}');
  else {
    if (!posInt(cc.cpu) || cc.cpu > 256) bad('compute_capacity.cpu', 'must be an integer 1..256');
    if (!posInt(cc.memory) || cc.memory < 256 * MiB) bad('compute_capacity.memory', 'must be an integer of at least 256 MiB (bytes)');
  }
  if (d.entrypoint !== undefined && (typeof d.entrypoint !== 'string' || d.entrypoint.length > MAX_ENTRYPOINT))
    bad('entrypoint', `must be a string of at most ${MAX_ENTRYPOINT} characters`);
  if (
    d.env !== undefined &&
    (!isStringMap(d.env) ||
      Object.keys(d.env as object).length > MAX_ENV ||
      Object.keys(d.env as object).some((k) => !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(k)))
  )
    bad('env', `must map at most ${MAX_ENV} names ([A-Za-z_][A-Za-z0-9_]*) to strings`);
  if (d.network !== undefined) machineNetworkProblems(d.network, bad);
  if (d.mounts !== undefined) {
    if (!Array.isArray(d.mounts) || d.mounts.length > MAX_MOUNTS) bad('mounts', `must be an array of at most ${MAX_MOUNTS}`);
    else
      d.mounts.forEach((m, i) => {
        const mm = m as { name?: unknown; mountpoint?: unknown };
        if (typeof mm?.name !== 'string') bad(`mounts[${i}].name`, 'must be a volume or zmount name');
        if (typeof mm?.mountpoint !== 'string' || !isMountpoint(mm.mountpoint))
          bad(`mounts[${i}].mountpoint`, 'must be an absolute path without . or .. parts, other than /');
      });
  }
}

/** An absolute, normalized path below `/` (a mount may not cover the root or climb out). */
function isMountpoint(p: string): boolean {
  if (!p.startsWith('/') || p.length > 256 || p === '/') return false;
  return p
    .split('/')
    .slice(1)
    .every((part) => part !== '' && part !== '.' && part !== '..');
}

function isStringMap(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'string');
}
