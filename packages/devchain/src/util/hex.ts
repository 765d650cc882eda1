/** 0x-prefixed lowercase hex, as Substrate's JSON-RPC speaks it. */
export type Hex = `0x${string}`;

const LUT: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): Hex {
  let s = '0x';
  for (let i = 0; i < bytes.length; i++) s += LUT[bytes[i]!];
  return s as Hex;
}

/** 0x-prefixed hex of whole bytes. A plain loop: linear in the length, no regex backtracking stack. */
export function isHex(v: unknown): v is Hex {
  if (typeof v !== 'string' || v.length % 2 !== 0 || v.charCodeAt(0) !== 0x30 || v.charCodeAt(1) !== 0x78) return false;
  for (let i = 2; i < v.length; i++) if (!isHexDigit(v.charCodeAt(i))) return false;
  return true;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** At most `max` characters of `text`, for error messages that quote client input. */
export function preview(text: string, max = 64): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

export function fromHex(hex: string): Uint8Array {
  if (!isHex(hex)) throw new TypeError(`not 0x-prefixed hex of whole bytes: ${preview(hex, 20)}`);
  return Uint8Array.from(Buffer.from(hex.slice(2), 'hex'));
}

/** Storage keys are kept as bare lowercase hex (no 0x) in maps: cheap to compare and sort. */
export const keyOf = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
export const keyBytes = (key: string): Uint8Array => Uint8Array.from(Buffer.from(key, 'hex'));

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
