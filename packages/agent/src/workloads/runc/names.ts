/** Short stable names of a machine's host-side pieces, and the record of the spec its bundle was made from. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** 12 hex digits: names (veth ≤ 15 characters) and cgroup paths unique per agent data directory. */
export function shortHash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12);
}

/** The key of machine `id` of the agent whose data directory is `dataDir`: its namespace is `tfz-<key>`, its host veth `tfv<key>`. */
export function machineKey(dataDir: string, id: string): string {
  return shortHash(`${path.resolve(dataDir)}/${id}`);
}

/** The hash of the spec the bundle's container was created from (spec.sha256), if any. */
export function readHash(bundle: string): string | undefined {
  try {
    return readFileSync(path.join(bundle, 'spec.sha256'), 'utf8').trim();
  } catch {
    return undefined;
  }
}
