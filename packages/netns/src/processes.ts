/** Processes of a host or a namespace: their pids, and killing them all. */

/** The pids of a text listing one a line (as `ip netns pids` prints them). */
export function parsePids(text: string | undefined): number[] {
  return (text ?? '')
    .split('\n')
    .map(Number)
    .filter((p) => Number.isInteger(p) && p > 0);
}

/**
 * SIGKILL to every process `pidsOf` lists (never this one), again until it lists none or 10 s
 * have passed: a namespace with a process in it outlives its deletion.
 */
export function killAll(pidsOf: () => number[]): void {
  const end = Date.now() + 10_000;
  const others = (): number[] => pidsOf().filter((p) => p !== process.pid);
  for (let pids = others(); pids.length && Date.now() < end; pids = others()) {
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone already */
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}
