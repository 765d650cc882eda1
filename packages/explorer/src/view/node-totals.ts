/**
 * Grid totals over nodes (/stats), kept by the view's commits: each node adds its share when it
 * is put and takes it back when replaced or deleted, so /stats reads them without a scan.
 */
import type { NodeRecord } from '../model/records';
import { nodeGpus } from './node-facts';

export class NodeTotals {
  nodes = 0;
  cru = 0;
  sru = 0;
  mru = 0;
  hru = 0;
  /** Nodes with a public IPv4 or IPv6. */
  access = 0;
  /** Nodes with a public domain. */
  gateways = 0;
  gpus = 0;
  /** Nodes per country, by the name the node gave. */
  readonly countries = new Map<string, number>();

  /** Adds (sign 1) or takes back (sign −1) a node's share. */
  add(n: NodeRecord, sign: 1 | -1): void {
    this.nodes += sign;
    this.cru += sign * n.total.cru;
    this.sru += sign * n.total.sru;
    this.mru += sign * n.total.mru;
    this.hru += sign * n.total.hru;
    if (n.publicConfig.ipv4 !== '' || n.publicConfig.ipv6 !== '') this.access += sign;
    if (n.publicConfig.domain !== '') this.gateways += sign;
    this.gpus += sign * nodeGpus(n).length;
    const c = n.location.country;
    const left = (this.countries.get(c) ?? 0) + sign;
    if (left === 0) this.countries.delete(c);
    else this.countries.set(c, left);
  }
}
