/**
 * The grid's "public Internet" on chain: the bridge's networks count as public on the grid's dev
 * chain (`devPublicRanges`, a dev-chain-only exception: TFChain and chain-spec/dev.json refuse
 * 198.18.0.0/15), so every node gets a public config with its bridge addresses and the farm a
 * pool of public IPs out of the bridge's /24.
 */
import { DEFAULT_CHAIN_SPEC, loadChainSpec, type ChainSpec } from '@tfgrid/devchain';
import type { PublicConfig } from '@tfgrid/client';
import type { FarmIp } from './bootstrap';

/** What the grid's chain counts as public on top of TFChain's rules (2001:2::/48 already is). */
export const LOCAL_PUBLIC_RANGES = ['198.18.0.0/15'];
/** The farm's public IPs: 198.18.<k>.200 - .209 (node addresses are .2 - .17). */
export const FARM_IP_FIRST = 200;
export const FARM_IP_COUNT = 10;

/** chain-spec/dev.json with LOCAL_PUBLIC_RANGES. */
export function localChainSpec(): ChainSpec {
  const spec = loadChainSpec(DEFAULT_CHAIN_SPEC);
  spec.genesis.tfgridModule = { ...(spec.genesis.tfgridModule as Record<string, unknown>), devPublicRanges: LOCAL_PUBLIC_RANGES };
  return spec;
}

export function farmIpPool(subnet: number): FarmIp[] {
  return Array.from({ length: FARM_IP_COUNT }, (_, i) => ({ ip: `198.18.${subnet}.${FARM_IP_FIRST + i}/24`, gw: `198.18.${subnet}.1` }));
}

/** A farm IP the grid made, on this subnet or another one an earlier run on the same data used. */
export const isLocalGridFarmIp = (cidr: string): boolean => /^198\.1[89]\.\d{1,3}\.\d{1,3}\/24$/.test(cidr);

/** A node's public config: its bridge addresses, the bridge as gateway, a domain on gateway nodes. */
export function nodePublicConfig(
  node: { ip: string; ip6: string },
  bridge: { ip: string; ip6: string },
  domain: string | undefined,
): PublicConfig {
  return { ip4: { ip: `${node.ip}/24`, gw: bridge.ip }, ip6: { ip: `${node.ip6}/64`, gw: bridge.ip6 }, domain: domain ?? null };
}
