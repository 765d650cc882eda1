/**
 * Random node records for the tests without a chain, drawn from the test's own seeded random
 * function. The options are where the tests' grids differ; each draw is made in a fixed order (an
 * option left out or set to 0 makes no draw), so a test's seed gives the same records every run.
 * A value the caller passes instead of a draw (total, rented) is the caller's own draw: drawn in
 * the options, it comes before all of the generator's.
 */
import { GiB } from '@tfgrid/client';
import type { NodeRecord } from '../src';

/** The test's seeded random function: an integer from 0 to n - 1. */
export type Rnd = (n: number) => number;

/** A seeded random function (a linear congruential generator; its low bits cycle quickly, so it takes the high ones). */
export function seededRandom(seed: number): Rnd {
  let s = seed;
  return (n) => ((s = (s * 1103515245 + 12345) % 2 ** 31), Math.floor(s / 65536) % n);
}

type Power = NodeRecord['power'];

export interface RandomNodeOptions {
  /** The grid's clock (unix s): creation, update, last uptime report and power-down are before it. */
  now: number;
  /** The total resources: as the caller drew them, else randomTotal's (drawn after the farm). */
  total?: NodeRecord['total'];
  /** Farm ids drawn from 1 to farms. */
  farms: number;
  /** Countries drawn from. */
  countries: readonly string[];
  /** Cities drawn from: `City 0` to `City ${cities - 1}`. */
  cities: number;
  /** Latitudes and longitudes drawn from; both '0' when not given. */
  coordinates?: { latitudes: readonly string[]; longitudes: readonly string[] };
  /** The node's twin is twinIdOffset + its id (default 1000). */
  twinIdOffset?: number;
  /** Resources used, each drawn below its bound: cru, mru in GiB, sru in steps of 300 GiB (0 when not given); none used when not given. */
  usedBelow?: { cru: number; mruGiB: number; sru300GiB?: number };
  /** The public config's addresses and how often each is set (one node in n); default 1.2.3.4/24 one in 3, ::1/64 one in 4, a domain one in 5. */
  publicConfig?: { ipv4?: string; ipv4OneIn?: number; ipv6?: string; ipv6OneIn?: number; domainOneIn?: number };
  /** Created and last updated this long ago (s; default 40 and 10 days). */
  createdSecondsAgo?: number;
  updatedSecondsAgo?: number;
  /** One node in n is Certified, the others Diy (default 4; 0: all Diy). */
  certifiedOneIn?: number;
  /** The uptime counter drawn below this (s); 1000 when not given. */
  uptimeBelow?: number;
  /** The last uptime report was one of these long ago (s). */
  lastReportSecondsAgo: readonly number[];
  /**
   * The power state: down (Down/Down, down some whole hours below 48 ago) one node in downOneIn,
   * else Up, with target Down one in upTargetDownOneIn (never when not given); or one of `pick`.
   */
  power: { downOneIn: number; upTargetDownOneIn?: number } | { pick: readonly Power[] };
  /** Active contracts drawn below this (default 3; 0: none). */
  activeContractsBelow?: number;
  /**
   * Rented (rent contract 5000 + id): as the caller decided, else one node in rentOneIn (drawn
   * after the active contracts; never when not given).
   */
  rented?: boolean;
  rentOneIn?: number;
  /** A rented node's renter drawn from twins 1 to rentedByTwins; renter 0 when not given. */
  rentedByTwins?: number;
  /** One node in n pays an extra fee of 1000 to 5000 (never when not given). */
  extraFeeOneIn?: number;
}

/** The whole hours below n, in seconds: 0, 3600, …, (n - 1) × 3600. */
export const hoursBelow = (n: number): number[] => Array.from({ length: n }, (_, h) => h * 3600);

const DAY = 86400;

/** Total resources: 2 to 31 cru, 4 to 63 GiB mru, sru 0 to 1500 GiB and hru 0 to 4000 GiB. */
export const randomTotal = (rnd: Rnd): NodeRecord['total'] => ({
  cru: 2 + rnd(30),
  mru: (4 + rnd(60)) * GiB,
  sru: rnd(4) * 500 * GiB,
  hru: rnd(3) * 2000 * GiB,
});

/** A random node record with the given id. */
export function randomNode(rnd: Rnd, id: number, o: RandomNodeOptions): NodeRecord {
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
  const oneIn = (n: number | undefined) => n !== undefined && n > 0 && rnd(n) === 0;
  const below = (n: number | undefined) => (n !== undefined && n > 0 ? rnd(n) : 0);
  const { now } = o;
  const ip = { ipv4: '1.2.3.4/24', ipv4OneIn: 3, ipv6: '::1/64', ipv6OneIn: 4, domainOneIn: 5, ...o.publicConfig };

  const farmId = 1 + rnd(o.farms);
  const total = o.total ?? randomTotal(rnd);
  const u = o.usedBelow;
  const used = u
    ? { cru: below(u.cru), mru: below(u.mruGiB) * GiB, sru: below(u.sru300GiB) * 300 * GiB, hru: 0 }
    : { cru: 0, mru: 0, sru: 0, hru: 0 };
  const country = pick(o.countries);
  const city = `City ${rnd(o.cities)}`;
  const latitude = o.coordinates ? pick(o.coordinates.latitudes) : '0';
  const longitude = o.coordinates ? pick(o.coordinates.longitudes) : '0';
  const publicConfig = {
    ipv4: oneIn(ip.ipv4OneIn) ? ip.ipv4 : '',
    gw4: '',
    ipv6: oneIn(ip.ipv6OneIn) ? ip.ipv6 : '',
    gw6: '',
    domain: oneIn(ip.domainOneIn) ? 'gw.example.com' : '',
  };
  const certificationType = oneIn(o.certifiedOneIn ?? 4) ? 'Certified' : 'Diy';
  const uptime = o.uptimeBelow ? rnd(o.uptimeBelow) : 1000;
  const lastUptimeReport = now - pick(o.lastReportSecondsAgo);
  let power: Power;
  if ('pick' in o.power) power = { ...pick(o.power.pick) };
  else if (oneIn(o.power.downOneIn)) power = { state: 'Down', target: 'Down', downSinceBlock: 1, downAt: now - rnd(48) * 3600 };
  else power = { state: 'Up', target: oneIn(o.power.upTargetDownOneIn) ? 'Down' : 'Up', downSinceBlock: null, downAt: null };
  const activeContracts = below(o.activeContractsBelow ?? 3);
  const rented = o.rented ?? oneIn(o.rentOneIn);
  const rentedByTwinId = rented && o.rentedByTwins ? 1 + rnd(o.rentedByTwins) : 0;
  const extraFee = oneIn(o.extraFeeOneIn) ? { extraFee: 1000 * (1 + rnd(5)) } : {};
  return {
    nodeId: id,
    farmId,
    twinId: (o.twinIdOffset ?? 1000) + id,
    gridVersion: 1,
    total,
    used,
    location: { country, city, latitude, longitude },
    publicConfig,
    interfaces: [],
    created: now - (o.createdSecondsAgo ?? 40 * DAY),
    farmingPolicyId: 1,
    certificationType,
    secureBoot: false,
    virtualized: false,
    serialNumber: '',
    connectionPrice: 80,
    uptime,
    lastUptimeReport,
    updatedAt: now - (o.updatedSecondsAgo ?? 10 * DAY),
    power,
    activeContracts,
    rentContractId: rented ? 5000 + id : 0,
    rentedByTwinId,
    deleted: false,
    ...extraFee,
  };
}
