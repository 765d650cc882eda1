// Positional param validators for handlers: validate first, then work. Each throws
// RpcError(-32602, 'Invalid params: ...') naming the param, so clients see what was wrong.
// `null` counts as absent, as Substrate reads a JSON null as `None` for optional params.

import { invalidParams } from './error';
import type { RpcParams } from './types';

export type HexString = `0x${string}`;

export interface OptionalOption {
  optional?: boolean;
}
export interface HexOptions extends OptionalOption {
  /** exact decoded length in bytes */
  bytes?: number;
}
export interface NumberOptions extends OptionalOption {
  /** smallest accepted value; default 0 (Substrate numbers are unsigned) */
  min?: number;
}

type Optional = { optional: true };
type Required = { optional?: false };

const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})*$/;
const HEX_NUMBER = /^0x[0-9a-fA-F]+$/;

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
export function hexParam(params: RpcParams, i: number, name: string, opts: HexOptions & Optional): HexString | undefined;
export function hexParam(params: RpcParams, i: number, name: string, opts?: HexOptions & Required): HexString;
export function hexParam(params: RpcParams, i: number, name: string, opts: HexOptions = {}): HexString | undefined {
  const value = take(params, i, name, opts.optional);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !HEX_BYTES.test(value)) {
    throw invalidParams(`${name} must be 0x-prefixed hex of even length`);
  }
  if (opts.bytes !== undefined && value.length !== 2 + opts.bytes * 2) {
    throw invalidParams(`${name} must be ${opts.bytes} bytes, got ${(value.length - 2) / 2}`);
  }
  return value as HexString;
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
