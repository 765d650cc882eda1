/**
 * Dev-only exception, not in TFChain: a chain spec may list networks that count as public unicast
 * on this chain (`genesis.tfgridModule.devPublicRanges`), so a grid on one machine can give its
 * nodes public configs and its farm public IPs out of a benchmarking range (198.18.0.0/15) that
 * TFChain refuses. The list lives under a raw well-known key (like `:code`), outside every
 * pallet's storage, so the metadata and the storage layout stay exactly TFChain's. A spec without
 * the field (chain-spec/dev.json) writes nothing and refuses what TFChain refuses.
 */
import type { Overlay, StateReader } from '../../state/overlay';
import { ChainSpecError } from '../genesis-input';
import { decode, encode, str, vec } from '../../scale/codec';
import { keyOf } from '../../util/hex';
import { isNetwork4, isNetwork6, NO_EXTRA_RANGES, parseCidr4, parseCidr6, type ExtraPublicRanges } from './ip';
import { bytes } from './store';

/** The raw storage key (`:tfgrid_dev:public_ranges`); its value is a SCALE `Vec<String>` of CIDRs. */
export const DEV_PUBLIC_RANGES_KEY = keyOf(bytes(':tfgrid_dev:public_ranges'));
export const MAX_DEV_PUBLIC_RANGES = 8;
const FIELD = 'chain spec: tfgridModule.devPublicRanges';
const codec = vec(str);

/** The field's CIDRs, each a network address with its prefix (IPv4 or IPv6), else ChainSpecError naming it. */
export function checkDevPublicRanges(v: unknown): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ChainSpecError(`${FIELD} must be a list of CIDRs, e.g. ["198.18.0.0/15"]`);
  if (v.length > MAX_DEV_PUBLIC_RANGES) throw new ChainSpecError(`${FIELD} has ${v.length} entries; at most ${MAX_DEV_PUBLIC_RANGES}`);
  return v.map((r, i) => {
    const shown = typeof r === 'string' ? JSON.stringify(r.slice(0, 60)) : typeof r;
    if (typeof r !== 'string' || r.length > 64) throw new ChainSpecError(`${FIELD}[${i}] (${shown}) must be a CIDR string`);
    const c4 = parseCidr4(r);
    const c6 = c4 ? undefined : parseCidr6(r);
    if (!c4 && !c6) throw new ChainSpecError(`${FIELD}[${i}] (${shown}) is not an IPv4 or IPv6 CIDR`);
    if (c4 ? !isNetwork4(c4.addr, c4.prefix) : !isNetwork6(c6!.addr, c6!.prefix))
      throw new ChainSpecError(`${FIELD}[${i}] (${shown}) has host bits set: write the network address`);
    return r;
  });
}

/** Genesis: checks the field and stores it when it lists any range (none: nothing written). */
export function devPublicRangesGenesis(state: Overlay, v: unknown): void {
  const list = checkDevPublicRanges(v);
  if (list.length > 0) state.set(DEV_PUBLIC_RANGES_KEY, encode(codec, list));
}

/** The ranges this chain counts as public on top of TFChain's rules (none on a chain without them). */
export function devPublicRanges(state: StateReader): ExtraPublicRanges {
  const raw = state.get(DEV_PUBLIC_RANGES_KEY);
  if (!raw) return NO_EXTRA_RANGES;
  const out: ExtraPublicRanges = { v4: [], v6: [] };
  for (const r of decode(codec, raw)) {
    const c4 = parseCidr4(r);
    if (c4) out.v4.push([c4.addr, c4.prefix]);
    const c6 = c4 ? undefined : parseCidr6(r);
    if (c6) out.v6.push([c6.addr, c6.prefix]);
  }
  return out;
}
