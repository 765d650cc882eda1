/**
 * Where a backend leads, checked by one function (`localReason`) everywhere it matters: when a
 * route or a `gateway-name-proxy` workload is admitted, on every DNS answer when a connection or
 * health probe resolves a name, and again right before connecting to a literal address (Node
 * never calls the lookup for those, and the node's own addresses may have changed since).
 * Unless local backends are allowed, no backend may reach the gateway node itself: loopback,
 * unspecified, link-local (cloud metadata sits at 169.254.169.254) or any address of the node's
 * own interfaces.
 */
import dns from 'node:dns';
import type net from 'node:net';
import os from 'node:os';
import { addressOf, addressText, classify, type AddressClass } from '../../core/address';

/** Why a host leads to the node itself. */
export type LocalReason = AddressClass | 'localhost name' | 'own address';

export const EBACKENDLOCAL = 'EBACKENDLOCAL';

// Interfaces change rarely; re-reading them on every check would be a syscall per connection.
const OWN_ADDRESSES_TTL_MS = 2000;
let ownCache: { at: number; set: Set<string> } | undefined;

/** The canonical text of every address of this machine's interfaces (re-read every 2 s at most). */
export function ownAddresses(): ReadonlySet<string> {
  const now = Date.now();
  if (ownCache && now - ownCache.at < OWN_ADDRESSES_TTL_MS) return ownCache.set;
  const set = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const i of list ?? []) {
      const b = addressOf(i.address);
      if (b) set.add(addressText(b));
    }
  }
  ownCache = { at: now, set };
  return set;
}

/**
 * Why `host` — a name or an address literal in any spelling, brackets allowed — leads to the
 * gateway node itself, or undefined when it does not (a name's DNS answers are checked when it
 * is resolved).
 */
export function localReason(host: string): LocalReason | undefined {
  const h = host.toLowerCase().replace(/\.+$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return 'localhost name'; // RFC 6761: always loopback
  const b = addressOf(h);
  if (!b) return undefined;
  return classify(b) ?? (ownAddresses().has(addressText(b)) ? 'own address' : undefined);
}

function localError(message: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(message);
  e.code = EBACKENDLOCAL;
  return e;
}

/** The error a connection to `host` fails with when one of its DNS answers leads to the node itself. */
export function refuseAnswers(hostname: string, addresses: readonly dns.LookupAddress[]): NodeJS.ErrnoException | undefined {
  for (const a of addresses) {
    const why = localReason(a.address);
    if (why) return localError(`backend ${hostname} resolves to ${a.address} (${why}), an address of the gateway node itself`);
  }
  return undefined;
}

/** The same check for a literal host right before connecting (undefined for names: their answers go through guardedLookup). */
export function refuseLiteral(host: string): NodeJS.ErrnoException | undefined {
  const why = localReason(host);
  return why ? localError(`backend ${host} is ${why}, an address of the gateway node itself`) : undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/** dns.lookup that fails when any answer leads to the node itself (`shop.example` may well point at 127.0.0.1). */
export function guardedLookup(hostname: string, options: dns.LookupOptions, callback: LookupCallback): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const refused = refuseAnswers(hostname, addresses);
    if (refused) return callback(refused, '');
    if (options.all) return callback(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
}

/** What a backend connection checks first when local backends are disallowed. */
export interface BackendGuard {
  /** Resolver for names. */
  lookup: net.LookupFunction;
  /** For literal addresses, which are never resolved. */
  refuse(host: string): NodeJS.ErrnoException | undefined;
}

export const LOCAL_BACKENDS_REFUSED: BackendGuard = { lookup: guardedLookup as net.LookupFunction, refuse: refuseLiteral };
