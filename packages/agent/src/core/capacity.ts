/** Capacity arithmetic for admission: sums, differences that never go negative, and readable shortfalls. */
import type { Capacity } from './workload-types';

export const RESOURCES = ['cru', 'mru', 'sru', 'hru'] as const;
export type Resource = (typeof RESOURCES)[number];

export const zero = (): Capacity => ({ cru: 0, mru: 0, sru: 0, hru: 0 });

export function add(a: Capacity, b: Capacity): Capacity {
  return { cru: a.cru + b.cru, mru: a.mru + b.mru, sru: a.sru + b.sru, hru: a.hru + b.hru };
}

/** a − b, each resource floored at 0 (free capacity is never negative, even when over-committed). */
export function subFloor(a: Capacity, b: Capacity): Capacity {
  const f = (x: number): number => Math.max(0, x);
  return { cru: f(a.cru - b.cru), mru: f(a.mru - b.mru), sru: f(a.sru - b.sru), hru: f(a.hru - b.hru) };
}

export function sum(list: Iterable<Capacity>): Capacity {
  let s = zero();
  for (const c of list) s = add(s, c);
  return s;
}

export function isZero(c: Capacity): boolean {
  return RESOURCES.every((r) => c[r] === 0);
}

/** What `needs` lacks against `free`, one entry per short resource (empty when it fits). */
export function shortfalls(needs: Capacity, free: Capacity): { resource: Resource; needs: number; free: number }[] {
  return RESOURCES.filter((r) => needs[r] > free[r]).map((r) => ({ resource: r, needs: needs[r], free: free[r] }));
}

/** "mru needs 4.00 GiB, free 1.50 GiB; cru needs 8, free 2" */
export function describeShortfalls(list: ReturnType<typeof shortfalls>): string {
  return list.map((s) => `${s.resource} needs ${amount(s.resource, s.needs)}, free ${amount(s.resource, s.free)}`).join('; ');
}

export function amount(r: Resource, v: number): string {
  return r === 'cru' ? String(v) : formatBytes(v);
}

export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = b;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${b} B` : `${v.toFixed(2)} ${units[i]}`;
}
