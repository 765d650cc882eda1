/**
 * Request log lines from HAProxy's stdout, read in batches. HAProxy writes one line per request;
 * read as they come, an otherwise idle agent wakes once per line, and that wake-up (a poll, a
 * read, a callback) cost more CPU than the line itself (~15 µs per request at 10k req/s). So the
 * pipe is read at most every `batchMs` (the kernel keeps what comes meanwhile, 64 KiB by default:
 * far more than a batch's lines at the rates one worker serves), and `drain()` reads what is there
 * at once, for a caller about to read the metrics.
 */
import type { Readable } from 'node:stream';

export class LogReader {
  readonly #stream: Readable;
  readonly #batchMs: number;
  readonly #onLine: (line: string) => void;
  readonly #maxLine: number;
  #rest = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(stream: Readable, o: { batchMs: number; maxLine: number; onLine: (line: string) => void }) {
    this.#stream = stream;
    this.#batchMs = o.batchMs;
    this.#onLine = o.onLine;
    this.#maxLine = o.maxLine;
    stream.setEncoding('latin1');
    stream.on('data', (text: string) => this.#read(text));
    stream.once('close', () => this.#stop());
  }

  #read(text: string): void {
    let from = 0;
    const all = this.#rest ? this.#rest + text : text;
    for (let nl = all.indexOf('\n'); nl >= 0; nl = all.indexOf('\n', from)) {
      if (nl > from) this.#onLine(all.slice(from, nl));
      from = nl + 1;
    }
    this.#rest = all.slice(from).slice(-this.#maxLine);
    if (this.#batchMs > 0 && !this.#timer) {
      this.#stream.pause();
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#stream.resume();
      }, this.#batchMs);
      this.#timer.unref();
    }
  }

  /** Reads what the pipe holds now (the poll phase that follows reads it before setImmediate runs). */
  async drain(): Promise<void> {
    if (this.#stream.destroyed) return;
    this.#stop();
    this.#stream.resume();
    await new Promise((r) => setImmediate(r));
  }

  #stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
