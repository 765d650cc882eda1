/**
 * Chain values as JSON, the form @polkadot/api's `toJSON()` gives and the events stream carries:
 * `Bytes` as 0x hex, integers as numbers (0x hex above 52 bits), accounts as SS58 text, basic
 * enums as their variant name and data enums as `{ variant: value }`, `None` as null. The
 * decoders of the chain's structs and events read every field through these.
 */

/** A struct (or anything else) as its fields; a missing value reads as no fields. */
export function fieldsOf(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

/** A list; a missing value reads as empty. */
export function listOf(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** `Bytes` (0x hex) as the UTF-8 text they hold; text stays text, a missing value is ''. */
export function text(v: unknown): string {
  // A non-string here is a scalar the JSON form gives as a number; it reads as its digits.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- scalar from chain JSON
  if (typeof v !== 'string') return v == null ? '' : String(v);
  if (/^0x([0-9a-f]{2})*$/i.test(v)) return Buffer.from(v.slice(2), 'hex').toString('utf8');
  return v;
}

/** `Option<Bytes>` as text, or null for `None`. */
export function optionalText(v: unknown): string | null {
  return v == null ? null : text(v);
}

/** An integer as a number (hex above 52 bits, decimal text, or a number); a missing value is 0. */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.startsWith('0x') ? Number(BigInt(v)) : Number(v);
  if (typeof v === 'bigint') return Number(v);
  return 0;
}

/** `Option<integer>` as a number, or null for `None`. */
export function optionalNum(v: unknown): number | null {
  return v == null ? null : num(v);
}

/** An integer as a bigint (balances: u128); a missing value is 0n. */
export function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string' && v !== '') return BigInt(v);
  return 0n;
}

/** An enum (`"Gold"`, `{ created: null }`, `{ down: 16 }`): its variant name, capitalised. */
export function variant(v: unknown): string {
  const name = typeof v === 'string' ? v : v && typeof v === 'object' ? (Object.keys(v)[0] ?? '') : '';
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** The value a data enum's variant holds (`{ down: 16 }` → 16), or undefined. */
export function variantValue(v: unknown): unknown {
  return v && typeof v === 'object' ? Object.values(v)[0] : undefined;
}
