/**
 * Hosts for network tests: network namespaces joined by one bridge that stands in for the
 * Internet (198.18.0.0/15, no route off the machine). Names carry a per-run tag so parallel test
 * files never collide; `remove()` deletes every namespace and link it made.
 */
import { execFileSync } from 'node:child_process';

export interface Host {
  ns: string;
  /** Its address on the bridge. */
  ip: string;
}

export interface Hosts {
  bridge: string;
  hosts: Host[];
  /** Runs a command inside a host's namespace; returns stdout. */
  exec(host: Host, argv: string[], input?: string): string;
  remove(): void;
}

export const sh = (argv: string[], input?: string): string => execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });

/** `n` hosts on a fresh bridge; `subnet` is the third octet of 198.18.<subnet>.0/24 (one per test file). */
export function makeHosts(tag: string, n: number, subnet: number): Hosts {
  const bridge = `${tag}br`;
  const made: string[] = [];
  const hosts: Host[] = [];
  const remove = (): void => {
    for (const ns of made) {
      try {
        sh(['ip', 'netns', 'del', ns]);
      } catch {
        /* already gone */
      }
    }
    try {
      sh(['ip', 'link', 'del', bridge]);
    } catch {
      /* already gone */
    }
  };
  try {
    sh(['ip', 'link', 'add', bridge, 'type', 'bridge']);
    sh(['ip', 'link', 'set', bridge, 'up']);
    for (let i = 0; i < n; i++) {
      const ns = `${tag}-h${i}`;
      sh(['ip', 'netns', 'add', ns]);
      made.push(ns);
      const ip = `198.18.${subnet}.${i + 2}`;
      sh(['ip', 'link', 'add', `${tag}v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      sh(['ip', 'link', 'set', `${tag}v${i}`, 'master', bridge, 'up']);
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
      hosts.push({ ns, ip });
    }
  } catch (e) {
    remove();
    throw e;
  }
  return { bridge, hosts, exec: (h, argv, input) => sh(['ip', 'netns', 'exec', h.ns, ...argv], input), remove };
}
