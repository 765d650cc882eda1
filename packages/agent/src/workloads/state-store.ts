/**
 * Workload states on disk: one JSON file per contract, `<dataDir>/workload-states/<contractId>.json`,
 * replaced atomically (write, fsync, rename, fsync the directory). Why files and not classic-level:
 * a LevelDB is locked to one process and the agent's database belongs to the contract follower;
 * the provisioner is the single writer of these files, each contract's states change together
 * (one file = one atomic unit), and an operator can read them. The record keeps the verified
 * deployment (needed to bring workloads back after a restart); it may hold the deployer's env
 * values, so files are 0600 in a 0700 directory and are never logged.
 */
import { writeFileAtomic } from '@tfgrid/client';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Deployment } from '@tfgrid/client';
import type { ReservedIp, WorkloadState } from '../core/workload-types';

export interface ContractRecord {
  contractId: number;
  twinId?: number;
  hash?: string;
  /** The last deployment applied (dropped once the contract is removed). */
  deployment?: Deployment;
  /** The public IPs the contract held when it was last applied (for recovery without the chain). */
  publicIps?: ReservedIp[];
  states: WorkloadState[];
}

export class StateStore {
  readonly #dir: string;
  readonly #log: Logger;

  constructor(dataDir: string, logger: Logger) {
    this.#dir = path.join(dataDir, 'workload-states');
    this.#log = logger;
  }

  get dir(): string {
    return this.#dir;
  }

  #file(contractId: number): string {
    return path.join(this.#dir, `${String(contractId).padStart(12, '0')}.json`);
  }

  loadAll(): ContractRecord[] {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const out: ContractRecord[] = [];
    for (const name of readdirSync(this.#dir).sort()) {
      const file = path.join(this.#dir, name);
      if (name.endsWith('.tmp')) {
        rmSync(file, { force: true }); // a write cut short by a crash; the previous file is intact
        continue;
      }
      if (!/^\d{12}\.json$/.test(name)) continue;
      try {
        const r = JSON.parse(readFileSync(file, 'utf8')) as ContractRecord;
        if (!Number.isSafeInteger(r.contractId) || !Array.isArray(r.states)) throw new Error('not a contract record');
        out.push(r);
      } catch (e) {
        this.#log.error({ file, err: (e as Error).message }, 'unreadable workload state file skipped');
      }
    }
    return out;
  }

  save(r: ContractRecord): void {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.#file(r.contractId), JSON.stringify(r));
  }

  delete(contractId: number): void {
    rmSync(this.#file(contractId), { force: true });
  }
}
