/**
 * Minting periods (minting_v3's `Period`): fixed lengths from a fixed origin, sized in grid v1 so
 * that 60 periods make exactly 5 years (3 common years and 2 leap years), about 30.45 days each.
 */
export const FIRST_PERIOD_START = 1_522_501_000;
export const PERIOD_SECONDS = (24 * 60 * 60 * (365 * 3 + 366 * 2)) / 60; // 2,630,880
/** After a period ends, minting reads 27 more hours of blocks for each node's first report after the end. */
export const POST_PERIOD_SECONDS = 27 * 60 * 60;
/** Highest period id the API takes (year ~2260): its end and post-period fit the store's 10-digit time keys. */
export const MAX_PERIOD = 3_000;

export interface Period {
  id: number;
  /** Unix seconds. */
  start: number;
  end: number;
}

export function periodAt(id: number): Period {
  if (!Number.isSafeInteger(id) || id < 0 || id > MAX_PERIOD) throw new RangeError(`period must be 0..${MAX_PERIOD}, got ${id}`);
  const start = FIRST_PERIOD_START + id * PERIOD_SECONDS;
  return { id, start, end: start + PERIOD_SECONDS };
}

/** The period holding a unix time (0 for times before the first period). */
export function periodIdOf(t: number): number {
  return Math.max(0, Math.floor((t - FIRST_PERIOD_START) / PERIOD_SECONDS));
}
