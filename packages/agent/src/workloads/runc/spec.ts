/**
 * The OCI runtime config (config.json) of a zmachine: the namespaces, capabilities, mounts and
 * limits runc applies. Defaults follow `runc spec` (its capability set, masked and read-only
 * /proc paths, /dev and /sys mounts) so the isolation is what Docker-style containers get.
 */

/** runc's default capabilities (`runc spec`): enough for a service, nothing that reaches the host. */
export const DEFAULT_CAPABILITIES = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

/** CFS period used for the CPU quota (100 ms, the kernel's default). */
export const CPU_PERIOD_US = 100_000;
/** Processes per machine: a fork bomb stays inside its own cgroup. */
export const PIDS_LIMIT = 4096;

export interface MachineConfig {
  /** The merged root filesystem (overlay of the image and the writable layer). */
  rootfs: string;
  hostname: string;
  /** The command line, run by the image's /bin/sh -c. */
  entrypoint: string;
  env: Record<string, string>;
  cpu: number;
  /** Bytes. */
  memory: number;
  /** Path of the network namespace (`/run/netns/<name>`) the machine joins. */
  netns: string;
  /** Relative cgroup path (runc places it under each hierarchy, v1 or v2). */
  cgroupsPath: string;
  /** Host directories bound at mountpoints inside (volumes, zmounts). */
  binds: { source: string; destination: string }[];
  /** Whether memory+swap can be limited (cgroup v1 memsw, v2 memory.swap.max): swap is then held to 0. */
  limitSwap: boolean;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function ociConfig(c: MachineConfig): Record<string, unknown> {
  const caps = [...DEFAULT_CAPABILITIES];
  const env = { PATH: DEFAULT_PATH, HOME: '/root', ...c.env };
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['/bin/sh', '-c', c.entrypoint],
      env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, ambient: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: c.rootfs, readonly: false },
    hostname: c.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
      ...c.binds.map((b) => ({ destination: b.destination, type: 'bind', source: b.source, options: ['rbind', 'rw', 'nosuid', 'nodev'] })),
    ],
    linux: {
      // The machine's copies of its volumes are its own: the node unmounting or growing a volume never
      // pulls it from under a running machine (and the node sees the machine still holds it).
      rootfsPropagation: 'rprivate',
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: c.memory, ...(c.limitSwap ? { swap: c.memory } : {}) },
        cpu: { quota: c.cpu * CPU_PERIOD_US, period: CPU_PERIOD_US },
        pids: { limit: PIDS_LIMIT },
      },
      cgroupsPath: c.cgroupsPath,
      namespaces: [{ type: 'pid' }, { type: 'network', path: c.netns }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}
