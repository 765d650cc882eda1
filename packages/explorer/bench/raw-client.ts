/**
 * A lean keep-alive HTTP/1.1 client for the load generator: one request at a time per socket,
 * the response head parsed for its status and Content-Length, the body counted, not decoded.
 * node:http's client costs the load generator (on the same two cores as the server) more CPU
 * than the server spends answering from its cache, which would measure the client instead.
 */
import net from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');

export class RawConnection {
  readonly #socket: net.Socket;
  #head: Buffer = Buffer.alloc(0);
  #remaining = -1; // body bytes still expected; -1 while reading the head
  #status = 0;
  #done: ((status: number) => void) | undefined;
  #fail: ((e: Error) => void) | undefined;

  constructor(readonly url: URL) {
    this.#socket = net.connect(Number(url.port), url.hostname);
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (b) => this.#data(b));
    this.#socket.on('error', (e) => this.#fail?.(e));
    this.#socket.on('close', () => this.#fail?.(new Error('connection closed')));
  }

  /** GETs `pathAndQuery`; resolves with the status once the whole body arrived. */
  get(pathAndQuery: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#done = resolve;
      this.#fail = reject;
      this.#head = Buffer.alloc(0);
      this.#remaining = -1;
      this.#socket.write(`GET ${pathAndQuery} HTTP/1.1\r\nHost: ${this.url.host}\r\nConnection: keep-alive\r\n\r\n`);
    });
  }

  close(): void {
    this.#fail = undefined;
    this.#socket.destroy();
  }

  #data(b: Buffer): void {
    if (this.#remaining < 0) {
      this.#head = this.#head.length ? Buffer.concat([this.#head, b]) : b;
      const end = this.#head.indexOf(HEAD_END);
      if (end < 0) return;
      const head = this.#head.subarray(0, end).toString('latin1');
      this.#status = Number(head.slice(9, 12));
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!m) return this.#fail?.(new Error('no content-length'));
      this.#remaining = Number(m[1]) - (this.#head.length - end - HEAD_END.length);
    } else {
      this.#remaining -= b.length;
    }
    if (this.#remaining <= 0) {
      const done = this.#done;
      this.#done = undefined;
      done?.(this.#status);
    }
  }
}
