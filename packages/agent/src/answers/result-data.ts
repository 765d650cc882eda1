/**
 * Which part of a workload's result the node tells its deployer: what the deployer needs to use it
 * (a machine's addresses, a volume's size, a gateway's name), never the node's own paths or pids.
 */
const SHARED: Record<string, readonly string[]> = {
  zmachine: ['runtime', 'addresses'],
  vm: ['runtime', 'addresses'],
  volume: ['size'],
  zmount: ['size'],
  'gateway-name-proxy': ['fqdn', 'name', 'network'],
  ip: ['ip', 'ip6', 'gateway', 'gateway6'],
  'gateway-fqdn-proxy': ['fqdn', 'https', 'network'],
};

/** The deployer's part of `result` for a workload of `type` (undefined when nothing is shared). */
export function resultData(type: string, result: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!result) return undefined;
  const keys = SHARED[type] ?? [];
  const out = Object.fromEntries(keys.filter((k) => result[k] !== undefined).map((k) => [k, result[k]]));
  return Object.keys(out).length ? out : undefined;
}
