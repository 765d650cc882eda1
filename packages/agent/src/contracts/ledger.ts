/**
 * The follower's persisted state: the event cursor together with what it covers (the outcome of
 * each contract of this node, and the rent contract). Saved in one atomic file write after the
 * effects of an event are applied, so a crash replays events (at-least-once) and never skips one.
 */
import path from 'node:path';
import type { EventCursor } from '@tfgrid/client';
import { readJsonFile, writeJsonFile } from '../core/json-file';

export const LEDGER_FILE = 'contracts.json';

export interface LedgerEntry {
  /** The deployment hash this outcome is for (an update with another hash is handled again). */
  hash: string;
  twinId: number;
  outcome: 'applied' | 'refused';
  /** The refusal's reason (DeploymentError code and words). */
  reason?: string;
}

export interface RentInfo {
  contractId: number;
  /** The renter: the only twin the chain lets deploy on this node now. */
  twinId: number;
}

interface LedgerData {
  v: 1;
  cursor: EventCursor | null;
  contracts: Record<string, LedgerEntry>;
  rent: RentInfo | null;
}

export class Ledger {
  readonly #file: string;
  #d: LedgerData;

  private constructor(file: string, d: LedgerData) {
    this.#file = file;
    this.#d = d;
  }

  static load(dataDir: string): Ledger {
    const file = path.join(dataDir, LEDGER_FILE);
    const d = readJsonFile<LedgerData>(file) ?? { v: 1, cursor: null, contracts: {}, rent: null };
    return new Ledger(file, d);
  }

  get cursor(): EventCursor | null {
    return this.#d.cursor;
  }

  set cursor(c: EventCursor | null) {
    this.#d.cursor = c;
  }

  get rent(): RentInfo | null {
    return this.#d.rent;
  }

  set rent(r: RentInfo | null) {
    this.#d.rent = r;
  }

  entry(contractId: number): LedgerEntry | undefined {
    return this.#d.contracts[contractId];
  }

  set(contractId: number, e: LedgerEntry): void {
    this.#d.contracts[contractId] = e;
  }

  delete(contractId: number): void {
    delete this.#d.contracts[contractId];
  }

  ids(): number[] {
    return Object.keys(this.#d.contracts).map(Number);
  }

  save(): void {
    writeJsonFile(this.#file, this.#d);
  }
}
