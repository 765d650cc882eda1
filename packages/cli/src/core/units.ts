/** Amounts and sizes as people type them: "1.5" TFT, "512MiB", "10GB". */
import { TFT } from '@tfgrid/client/light';
import { UsageError } from './errors';

/** TFT with up to 7 decimals → units (bigint). */
export function parseTft(text: string, what = 'amount'): bigint {
  const m = /^(\d+)(?:\.(\d{1,7}))?$/.exec(text.trim());
  if (!m) throw new UsageError(`${what} must be a positive number of TFT with at most 7 decimals, got '${text}'`);
  const units = BigInt(m[1]!) * TFT + BigInt((m[2] ?? '').padEnd(7, '0'));
  if (units === 0n) throw new UsageError(`${what} must be more than 0 TFT`);
  return units;
}

/** Units → "12.3456789" TFT (trailing zeros dropped). */
export function formatTft(units: bigint): string {
  const neg = units < 0n;
  const a = neg ? -units : units;
  const frac = (a % TFT).toString().padStart(7, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / TFT}${frac ? `.${frac}` : ''}`;
}

const UNITS: Record<string, number> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
};

/**
 * A size in bytes from a number or a string with a unit (KiB/MiB/GiB/TiB or K/M/G/T binary,
 * KB/MB/GB/TB decimal); a bare number is counted in `bareUnit`.
 */
export function parseSize(v: unknown, what: string, bareUnit: 'b' | 'gib' = 'b'): number {
  const m =
    typeof v === 'number'
      ? [String(v), String(v), bareUnit]
      : typeof v === 'string'
        ? /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v)
        : null;
  const unit = m ? (m[2] || bareUnit).toLowerCase() : '';
  const bytes = m && UNITS[unit] ? Math.round(Number(m[1]) * UNITS[unit]!) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 0)
    throw new UsageError(
      `${what} must be a size like 512MiB, 10GiB or a number${bareUnit === 'b' ? ' of bytes' : ' of GiB'}, got ${JSON.stringify(v)}`,
    );
  return bytes;
}

/** Bytes → "1.50 GiB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024 ** 2) return `${bytes} B`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
  if (bytes < 1024 ** 4) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  return `${(bytes / 1024 ** 4).toFixed(2)} TiB`;
}

/** A whole number ≥ min (ids, ports, counts). */
export function parseIntArg(text: string | undefined, what: string, min = 1): number {
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${what} must be a whole number${min > 0 ? ` ≥ ${min}` : ''}, got '${text ?? ''}'`);
  return n;
}
