// dev_*: chopsticks-style controls of the dev chain (build blocks, write storage, move time).

import { invalidParams } from '../error';
import { numberParam } from '../params';
import type { RpcParams } from '../types';
import { blockHashParam, bytesParam, objectParam, storageKeyParam } from './common';
import type { Handler } from './context';

/** most blocks one dev_newBlock call may build */
export const MAX_NEW_BLOCKS = 10_000;

/**
 * Builds blocks now: `[]` one, `[{count: n}]` n, `[{to: n}]` up to block n. Answers the hash of
 * the last block built.
 */
export const dev_newBlock: Handler = ({ chain }, params) => {
  const opts = objectParam(params, 0, 'options') ?? {};
  rejectUnknown(opts, ['count', 'to'], 'options');
  const count = numberParam([opts.count], 0, 'options.count', { optional: true, min: 1 });
  const to = numberParam([opts.to], 0, 'options.to', { optional: true });
  if (count !== undefined && to !== undefined) throw invalidParams('options.count and options.to exclude each other');
  let n = count ?? 1;
  if (to !== undefined) {
    const best = chain.bestNumber();
    if (to <= best) throw invalidParams(`options.to must be above the best block number ${best}`);
    n = to - best;
  }
  if (n > MAX_NEW_BLOCKS) throw invalidParams(`at most ${MAX_NEW_BLOCKS} blocks per call, asked for ${n}`);
  return chain.newBlock({ count: n });
};

/**
 * Writes raw storage in a new block: `[[key, value|null], ...]` or `{key: value|null}` (null
 * deletes). Answers the new block's hash. Only the best block can be changed.
 */
export const dev_setStorage: Handler = ({ chain }, params) => {
  const raw = params[0];
  let pairs: unknown[][];
  if (Array.isArray(raw)) {
    pairs = raw.map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw invalidParams(`changes[${i}] must be a [key, value|null] pair`);
      return pair;
    });
  } else if (typeof raw === 'object' && raw !== null) {
    pairs = Object.entries(raw);
  } else {
    throw invalidParams('changes must be a list of [key, value|null] pairs or an object {key: value|null}');
  }
  const changes = pairs.map((pair, i): [`0x${string}`, `0x${string}` | null] => [
    storageKeyParam(pair, 0, `changes[${i}] key`),
    bytesParam(pair, 1, `changes[${i}] value`, { optional: true }) ?? null,
  ]);
  const at = blockHashParam(params, 1, 'at', { optional: true });
  if (at !== undefined && at !== chain.bestHash()) throw invalidParams('dev_setStorage can only change the best block');
  return chain.setStorage(changes);
};

/**
 * Moves the chain's clock: `[ms since epoch]`, `['2030-01-01T00:00:00Z']`, `[{seconds: n}]`
 * (forward by n s) or `[{blocks: n}]` (forward by n block times). Answers `{number, timestamp}`.
 */
export const dev_timeTravel: Handler = ({ chain }, params) => chain.timeTravel(timeTarget(params));

function timeTarget(params: RpcParams): number | { blocks?: number; seconds?: number } {
  const value = params[0];
  if (typeof value === 'number') return numberParam(params, 0, 'date');
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw invalidParams(`date is not a date: ${JSON.stringify(value)}`);
    return ms;
  }
  const opts = objectParam(params, 0, 'date');
  if (!opts) throw invalidParams('date must be a timestamp in ms, a date string, {seconds} or {blocks}');
  rejectUnknown(opts, ['blocks', 'seconds'], 'date');
  const blocks = numberParam([opts.blocks], 0, 'date.blocks', { optional: true, min: 1 });
  const seconds: unknown = opts.seconds ?? undefined;
  if (seconds !== undefined && (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0)) {
    throw invalidParams('date.seconds must be a positive number');
  }
  if (blocks === undefined && seconds === undefined) throw invalidParams('date needs blocks or seconds');
  const target: { blocks?: number; seconds?: number } = {};
  if (blocks !== undefined) target.blocks = blocks;
  if (seconds !== undefined) target.seconds = seconds as number;
  return target;
}

function rejectUnknown(obj: Record<string, unknown>, known: string[], name: string): void {
  const extra = Object.keys(obj).filter((k) => !known.includes(k));
  if (extra.length) throw invalidParams(`${name} has unsupported field(s): ${extra.join(', ')} (known: ${known.join(', ')})`);
}
