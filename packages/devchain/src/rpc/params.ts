// Positional param validators for handlers: validate first, then work. Each throws
// RpcError(-32602, 'Invalid params: ...') naming the param, so clients see what was wrong.
// `null` counts as absent, as Substrate reads a JSON null as `None` for optional params.

import { isHex, type Hex } from '../util/hex';
import { invalidParams } from './error';
import type { RpcParams } from './types';

export type { Hex };

export interface OptionalOption {
  optional?: boolean;
}
export interface HexOptions extends OptionalOption {
  /** exact decoded length in bytes */
  bytes?: number;
  /** largest decoded length in bytes (checked before the digits are) */
  maxBytes?: number;
}
export interface NumberOptions extends OptionalOption {
  /** smallest accepted value; default 0 (Substrate numbers are unsigned) */
  min?: number;
}

type Optional = { optional: true };
type Required = { optional?: false };

const HEX_NUMBER = /^0x[0-9a-fA-F]{1,64}$/;
/** a U256 in hex at most: anything longer is refused before it is parsed */
const MAX_NUMBER_HEX_CHARS = 2 + 64;

/** The value at `i`, or undefined when absent and optional; throws when absent and required. */
function take(params: RpcParams, i: number, name: string, optional: boolean | undefined): unknown {
  const value = params[i];
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw invalidParams(`missing ${name} (param ${i})`);
  }
  return value;
}

/** 0x-prefixed, even-length hex; with `bytes`, exactly that many bytes. */
export function hexParam(params: RpcParams, i: number, name: string, opts: HexOptions & Optional): Hex | undefined;
export function hexParam(params: RpcParams, i: number, name: string, opts?: HexOptions & Required): Hex;
export function hexParam(params: RpcParams, i: number, name: string, opts: HexOptions = {}): Hex | undefined {
  const value = take(params, i, name, opts.optional);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParams(`${name} must be 0x-prefixed hex of even length`);
  // Lengths first: a wrong-sized input is refused before its digits are read.
  const bytes = Math.floor((value.length - 2) / 2);
  if (opts.bytes !== undefined && value.length !== 2 + opts.bytes * 2) {
    throw invalidParams(`${name} must be ${opts.bytes} bytes, got ${value.length < 2 ? 0 : bytes}`);
  }
  if (opts.maxBytes !== undefined && value.length > 2 + opts.maxBytes * 2) {
    throw invalidParams(`${name} must be at most ${opts.maxBytes} bytes, got ${bytes}`);
  }
  if (!isHex(value)) throw invalidParams(`${name} must be 0x-prefixed hex of even length`);
  return value as Hex;
}

/** A safe integer given as a JS number or as hex ('0x10'), as Substrate's NumberOrHex. */
export function numberParam(params: RpcParams, i: number, name: string, opts: NumberOptions & Optional): number | undefined;
export function numberParam(params: RpcParams, i: number, name: string, opts?: NumberOptions & Required): number;
export function numberParam(params: RpcParams, i: number, name: string, opts: NumberOptions = {}): number | undefined {
  const value = take(params, i, name, opts.optional);
  if (value === undefined) return undefined;
  let n: number;
  if (typeof value === 'number') {
    n = value;
  } else if (typeof value === 'string' && value.length > MAX_NUMBER_HEX_CHARS && value.startsWith('0x')) {
    throw invalidParams(`${name} must be an integer no larger than 2^53-1`);
  } else if (typeof value === 'string' && HEX_NUMBER.test(value)) {
    n = Number.parseInt(value.slice(2), 16);
  } else {
    throw invalidParams(`${name} must be a number or 0x-prefixed hex`);
  }
  if (!Number.isSafeInteger(n)) throw invalidParams(`${name} must be an integer no larger than 2^53-1`);
  const min = opts.min ?? 0;
  if (n < min) throw invalidParams(`${name} must be >= ${min}`);
  return n;
}

export function boolParam(params: RpcParams, i: number, name: string, opts: OptionalOption & Optional): boolean | undefined;
export function boolParam(params: RpcParams, i: number, name: string, opts?: OptionalOption & Required): boolean;
export function boolParam(params: RpcParams, i: number, name: string, opts: OptionalOption = {}): boolean | undefined {
  const value = take(params, i, name, opts.optional);
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidParams(`${name} must be a boolean`);
  return value;
}

export function stringParam(params: RpcParams, i: number, name: string, opts: OptionalOption & Optional): string | undefined;
export function stringParam(params: RpcParams, i: number, name: string, opts?: OptionalOption & Required): string;
export function stringParam(params: RpcParams, i: number, name: string, opts: OptionalOption = {}): string | undefined {
  const value = take(params, i, name, opts.optional);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParams(`${name} must be a string`);
  return value;
}

export function arrayParam(params: RpcParams, i: number, name: string, opts: OptionalOption & Optional): unknown[] | undefined;
export function arrayParam(params: RpcParams, i: number, name: string, opts?: OptionalOption & Required): unknown[];
export function arrayParam(params: RpcParams, i: number, name: string, opts: OptionalOption = {}): unknown[] | undefined {
  const value = take(params, i, name, opts.optional);
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidParams(`${name} must be an array`);
  return value;
}
