/** Block headers: Substrate's encoding (hashed by clients) and its JSON form over RPC. */
import { Digest } from '../pallets/system';
import { Reader, Writer } from '../scale/io';
import { toHex, type Hex } from '../util/hex';
import type { HeaderJson } from './api';

export interface HeaderFields {
  parentHash: Uint8Array;
  number: number;
  stateRoot: Uint8Array;
  extrinsicsRoot: Uint8Array;
  digest: { logs: unknown[] };
}

export function encodeHeader(h: HeaderFields): Uint8Array {
  const w = new Writer(128);
  w.bytes(h.parentHash);
  w.compact(h.number);
  w.bytes(h.stateRoot);
  w.bytes(h.extrinsicsRoot);
  Digest.decl.value.enc(w, h.digest);
  return w.finish();
}

/** The state root of an encoded header (after the parent hash and the compact number). */
export function stateRootOf(header: Uint8Array): Uint8Array {
  const r = new Reader(header);
  r.bytes(32);
  r.compact();
  return r.bytes(32).slice();
}

/** The header in Substrate's JSON: number as hex, digest logs as encoded items. */
export function headerJson(header: Uint8Array): HeaderJson {
  const r = new Reader(header);
  const parentHash = toHex(r.bytes(32));
  const number = Number(r.compact());
  const stateRoot = toHex(r.bytes(32));
  const extrinsicsRoot = toHex(r.bytes(32));
  const count = r.length();
  const logs: Hex[] = [];
  for (let i = 0; i < count; i++) {
    const start = r.pos;
    // DigestItem: variant byte then (engine id +) bytes.
    const kind = r.u8();
    if (kind !== 0 && kind !== 8) r.bytes(4);
    if (kind !== 8) r.bytes(r.length());
    logs.push(toHex(header.subarray(start, r.pos)));
  }
  return { parentHash, number: `0x${number.toString(16)}`, stateRoot, extrinsicsRoot, digest: { logs } };
}
