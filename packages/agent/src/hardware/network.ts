/** Network interfaces: physical ones from /sys/class/net (name, MAC), IPs from the OS for the live root. */
import os from 'node:os';
import { at, list, readLine, resolved } from './fs';

export interface NetInterface {
  name: string;
  mac: string;
  ips: string[];
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/**
 * Interfaces backed by a device (not lo, bridges, tunnels or other virtual ones). IPs come from
 * `os.networkInterfaces()` only when `root` is `/` (a fixture tree has no live addresses).
 */
export function scanInterfaces(root: string): NetInterface[] {
  const live = path0(root) ? os.networkInterfaces() : {};
  const out: NetInterface[] = [];
  for (const name of list(at(root, '/sys/class/net'))) {
    const dir = at(root, `/sys/class/net/${name}`);
    if (name === 'lo' || resolved(dir).includes('/virtual/')) continue;
    if (readLine(`${dir}/device/uevent`) === undefined && list(`${dir}/device`).length === 0) continue;
    const mac = (readLine(`${dir}/address`) ?? '').toLowerCase();
    if (!MAC.test(mac) || mac === '00:00:00:00:00:00') continue;
    const ips = (live[name] ?? [])
      .filter((a) => !a.internal)
      .map((a) => a.address.split('%')[0]!)
      .filter((ip) => ip.length >= 7 && ip.length <= 39)
      .slice(0, 10);
    out.push({ name, mac, ips });
  }
  return out.slice(0, 10);
}

const path0 = (root: string): boolean => root === '/' || root === '';
