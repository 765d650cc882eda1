/** The data each workload type carries, and the rules a node checks before provisioning it. */
import type { Problem } from './errors';
import type { WorkloadType } from './document';

/** `volume`: a disk of `size` bytes. */
export interface VolumeData {
  size: number;
}

/** `vm`: a machine booted from an flist, with volumes of the same deployment mounted. */
export interface VmData {
  flist: string;
  cpu: number;
  /** Bytes. */
  memory: number;
  /** Bytes; 0 = the flist's default. */
  rootfs_size?: number;
  entrypoint?: string;
  env?: Record<string, string>;
  mounts?: { name: string; mountpoint: string }[];
}

/** `gateway-name-proxy`: `<name>.<gateway domain>` proxied to the backends. */
export interface GatewayNameProxyData {
  name: string;
  backends: string[];
  tls_passthrough?: boolean;
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
    case 'vm':
      if (typeof d.flist !== 'string' || !/^https?:\/\/\S+$/.test(d.flist)) bad('flist', 'must be an http(s) URL');
      if (!posInt(d.cpu) || d.cpu > 256) bad('cpu', 'must be an integer 1..256');
      if (!posInt(d.memory) || d.memory < 256 * MiB) bad('memory', 'must be an integer of at least 256 MiB (bytes)');
      if (d.rootfs_size !== undefined && !(Number.isSafeInteger(d.rootfs_size) && (d.rootfs_size as number) >= 0)) bad('rootfs_size', 'must be an integer >= 0 (bytes)');
      if (d.entrypoint !== undefined && typeof d.entrypoint !== 'string') bad('entrypoint', 'must be a string');
      if (d.env !== undefined && !isStringMap(d.env)) bad('env', 'must map names to strings');
      if (d.mounts !== undefined) {
        if (!Array.isArray(d.mounts)) bad('mounts', 'must be an array');
        else
          d.mounts.forEach((m, i) => {
            const mm = m as { name?: unknown; mountpoint?: unknown };
            if (typeof mm?.name !== 'string') bad(`mounts[${i}].name`, 'must be a volume name');
            if (typeof mm?.mountpoint !== 'string' || !mm.mountpoint.startsWith('/')) bad(`mounts[${i}].mountpoint`, 'must be an absolute path');
          });
      }
      break;
    case 'gateway-name-proxy':
      if (typeof d.name !== 'string' || !/^[a-z0-9-_]{3,64}$/.test(d.name)) bad('name', 'must be 3-64 characters of [a-z0-9-_] (the name contract)');
      if (!Array.isArray(d.backends) || d.backends.length === 0) bad('backends', 'must be a non-empty array');
      else
        d.backends.forEach((b, i) => {
          if (typeof b !== 'string' || !/^https?:\/\/[^\s/]+(:\d+)?\/?$/.test(b)) bad(`backends[${i}]`, 'must be http(s)://host[:port]');
        });
      if (d.tls_passthrough !== undefined && typeof d.tls_passthrough !== 'boolean') bad('tls_passthrough', 'must be a boolean');
      break;
  }
  return out;
}

function isStringMap(x: unknown): boolean {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'string');
}
