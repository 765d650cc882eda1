/** 0x-prefixed lowercase hex, as Substrate's JSON-RPC speaks it. */
export type Hex = `0x${string}`;

const LUT: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): Hex {
  let s = '0x';
  for (let i = 0; i < bytes.length; i++) s += LUT[bytes[i]!];
  return s as Hex;
}

export function isHex(v: unknown): v is Hex {
  return typeof v === 'string' && /^0x([0-9a-fA-F]{2})*$/.test(v);
}

export function fromHex(hex: string): Uint8Array {
  if (!isHex(hex)) throw new TypeError(`not 0x-prefixed hex of whole bytes: ${hex.slice(0, 20)}`);
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
