/** Fixed-width, sortable keys: zero-padded numbers so LevelDB's byte order is numeric order. */
export const WIDTH = 10;

export function pad(n: number, width = WIDTH): string {
  const s = String(n);
  if (!Number.isSafeInteger(n) || n < 0 || s.length > width) throw new Error(`key part out of range: ${n}`);
  return s.padStart(width, '0');
}

/** `a/b/c` with numbers zero-padded. */
export function key(...parts: (number | string)[]): string {
  return parts.map((p) => (typeof p === 'number' ? pad(p) : p)).join('/');
}

/** The numeric id at the end of a key. */
export function idOf(k: string): number {
  return Number(k.slice(k.lastIndexOf('/') + 1));
}
