/**
 * What the answer publisher must remember per contract beyond the workload states: which
 * deployment the states answer (hash, version), whom to seal to (the deployer's reply key) and the
 * data hashes of its workloads; and how many chunks the published answer has (to remove them all).
 * Kept in `<dataDir>/answers.json`, written atomically.
 */
import path from 'node:path';
import { readJsonFile, writeJsonFile } from '../core/json-file';

export const ANSWERS_FILE = 'answers.json';

export interface AnswerNote {
  /** The deployer's twin. */
  twinId: number;
  /** The contract's deployment hash the node acted on. */
  hash: string;
  /** The deployment's version (-1 when the node could not read it). */
  version: number;
  /** Hex of the deployer's reply key (from the deployment's envelope). */
  replyTo?: string;
  /** sha256 of each workload's data, by name. */
  dataHashes?: Record<string, string>;
}

interface NotesData {
  v: 1;
  notes: Record<string, AnswerNote>;
  /** Chunks of the answer on chain, per contract. */
  chunks: Record<string, number>;
}

export class AnswerNotes {
  readonly #file: string;
  readonly #d: NotesData;

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, ANSWERS_FILE);
    this.#d = readJsonFile<NotesData>(this.#file) ?? { v: 1, notes: {}, chunks: {} };
  }

  get(contractId: number): AnswerNote | undefined {
    return this.#d.notes[contractId];
  }

  /** A newer note; a refusal that could not read the reply key keeps the one known (the states it answers may be private). */
  set(contractId: number, n: AnswerNote): void {
    const was = this.#d.notes[contractId];
    this.#d.notes[contractId] = {
      ...n,
      ...((n.replyTo ?? was?.replyTo) ? { replyTo: n.replyTo ?? was?.replyTo } : {}),
      ...((n.dataHashes ?? was?.dataHashes) ? { dataHashes: n.dataHashes ?? was?.dataHashes } : {}),
    };
    this.save();
  }

  chunks(contractId: number): number {
    return this.#d.chunks[contractId] ?? 0;
  }

  published(contractId: number, chunks: number): void {
    if (chunks > 0) this.#d.chunks[contractId] = chunks;
    else {
      delete this.#d.chunks[contractId];
      delete this.#d.notes[contractId];
    }
  }

  /** Contracts with an answer on chain. */
  onChain(): number[] {
    return Object.keys(this.#d.chunks).map(Number);
  }

  save(): void {
    writeJsonFile(this.#file, this.#d);
  }
}
