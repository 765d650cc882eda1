// Helpers of the JSON-RPC fuzz test: a seeded PRNG (a failure names its seed and reproduces),
// the dev chain as its own process (so its memory is measured alone), wire clients for HTTP
// and WebSocket, and the check that an answer is a well-formed JSON-RPC response.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import path from 'node:path';
import { WebSocket } from 'ws';

const BIN = path.resolve(__dirname, '../../bin/devchain.js');

/** mulberry32: small, fast, good enough to pick inputs; the same seed gives the same run. */
export function prng(seed: number): Random {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    bytes: (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256)),
    hex: (n: number): string => `0x${Buffer.from(Uint8Array.from({ length: n }, () => int(256))).toString('hex')}`,
    text: (n: number): string => String.fromCharCode(...Array.from({ length: n }, () => (next() < 0.9 ? 32 + int(95) : int(0x3000)))),
  };
}

export interface Random {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Uint8Array;
  hex(n: number): string;
  text(n: number): string;
}

export interface NodeProcess {
  child: ChildProcess;
  httpUrl: string;
  wsUrl: string;
  /** resident and peak resident memory of the node process, in bytes (Linux /proc) */
  memory(): { rss: number; peakRss: number };
  stop(): Promise<void>;
}

/** `bin/devchain.js --dev --port 0 …` in its own process; resolves once it listens. */
export function startNodeProcess(args: string[] = []): Promise<NodeProcess> {
  const child = spawn(process.execPath, [BIN, '--dev', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const memory = (): { rss: number; peakRss: number } => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kib('VmRSS'), peakRss: kib('VmHWM') };
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      if (out.length < 1_000_000) out += d.toString();
      const m = /"http":"(http:\/\/[^"]+)"/.exec(out);
      if (m) {
        const httpUrl = m[1]!;
        resolve({ child, httpUrl, wsUrl: httpUrl.replace(/^http/, 'ws'), memory, stop });
      }
    });
    child.once('exit', (code) => reject(new Error(`devchain exited with ${code}: ${out}`)));
  });
}

/** POSTs a raw body; answers the status and the body text. */
export async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, text: await res.text() };
}

const ANY = '*any*';
const MIB = 1024 * 1024;

/**
 * An oversized POST over a raw socket, written no further than the server must read to refuse
 * it (more would be cut with a reset that can swallow the answer): with `announcedBytes`, the
 * headers only; without, chunked 1 MiB pieces up to `sendBytes`. Resolves with the answer.
 */
export function postOversized(
  url: string,
  announcedBytes: number | undefined,
  sendBytes: number,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = netConnect(Number(port), hostname);
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (received += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})[^]*?\r\n\r\n([^]*)$/.exec(received);
      if (m) resolve({ status: Number(m[1]), text: m[2]! });
      else reject(new Error(`no HTTP answer: ${received.slice(0, 200)}`));
    });
    const sendRequest = async (): Promise<void> => {
      const length = announcedBytes === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${announcedBytes}`;
      socket.write(`POST / HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nConnection: close\r\n${length}\r\n\r\n`);
      if (announcedBytes !== undefined) return;
      const piece = `${MIB.toString(16)}\r\n${'x'.repeat(MIB)}\r\n`;
      for (let sent = 0; sent < sendBytes && !socket.destroyed; sent += MIB) {
        if (!socket.write(piece)) await new Promise<void>((r) => socket.once('drain', () => r()));
      }
    };
    // A failure while sending ends the socket with it, which rejects through the 'error' handler.
    socket.once('connect', () => {
      sendRequest().catch((err: unknown) => socket.destroy(err instanceof Error ? err : new Error(String(err))));
    });
  });
}

/** One WebSocket connection that collects replies by id and counts notifications. */
export class WsClient {
  readonly #ws: WebSocket;
  readonly #waiting = new Map<string, (reply: unknown) => void>();
  readonly unmatched: unknown[] = [];
  notifications = 0;
  closeCode: number | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      const reply = JSON.parse(text) as unknown;
      if (!Array.isArray(reply) && typeof reply === 'object' && reply !== null && 'method' in reply && !('id' in reply)) {
        this.notifications++;
        return;
      }
      const key = this.#waiting.has(ANY) ? ANY : idKey(reply);
      const waiter = this.#waiting.get(key);
      if (waiter) {
        this.#waiting.delete(key);
        waiter(reply);
      } else {
        this.unmatched.push(reply);
      }
    });
    ws.on('close', (code) => (this.closeCode = code));
    ws.on('error', () => undefined);
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
    });
  }

  get open(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  /** Sends `text` and resolves with the reply keyed `key` (see idKey); without a key, the next reply. */
  request(text: string, key: string = ANY): Promise<unknown> {
    return new Promise((resolve) => {
      this.#waiting.set(key, resolve);
      this.#ws.send(text);
    });
  }

  /** Sends without waiting for an answer (e.g. a message the server must refuse by closing). */
  sendRaw(text: string): void {
    this.#ws.send(text);
  }

  closed(): Promise<number> {
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve(this.closeCode ?? 0);
    return new Promise((resolve) => this.#ws.once('close', (code: number) => resolve(code)));
  }

  close(): Promise<number> {
    const done = this.closed();
    this.#ws.close();
    return done;
  }
}

/** How replies are matched to requests: by id, a batch by its first id, null ids under 'null'. */
export function idKey(reply: unknown): string {
  const first = Array.isArray(reply) ? reply[0] : reply;
  const id = (first as { id?: unknown } | undefined)?.id;
  return JSON.stringify(id ?? null);
}

/**
 * Error codes an answer to bad input may carry: the JSON-RPC ones but -32603, jsonrpsee's
 * server codes (-32000..-32099) and Substrate's author (1001..1016), chain (3001) and state
 * (4001..4003) codes.
 */
export function isAllowedErrorCode(code: number): boolean {
  return (
    [-32700, -32600, -32601, -32602].includes(code) ||
    (code <= -32000 && code >= -32099) ||
    (code >= 1001 && code <= 1016) ||
    code === 3001 ||
    (code >= 4001 && code <= 4003)
  );
}

interface RpcResponse {
  jsonrpc: string;
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * Throws unless `text` is one well-formed JSON-RPC 2.0 response object (or, for a batch, an
 * array of them) whose error codes are allowed; `ids`, when given, are the ids it must echo.
 */
export function checkResponse(text: string, ids?: readonly unknown[]): RpcResponse[] {
  const parsed = JSON.parse(text) as unknown;
  const list = (Array.isArray(parsed) ? parsed : [parsed]) as RpcResponse[];
  if (list.length === 0) throw new Error('empty batch reply');
  for (const r of list) {
    if (typeof r !== 'object' || r === null || r.jsonrpc !== '2.0' || !('id' in r))
      throw new Error(`not a JSON-RPC response: ${text.slice(0, 200)}`);
    const hasResult = 'result' in r;
    const hasError = 'error' in r;
    if (hasResult === hasError) throw new Error(`a response needs exactly one of result and error: ${text.slice(0, 200)}`);
    if (hasError) {
      const { code, message } = r.error ?? ({} as { code?: unknown; message?: unknown });
      if (typeof code !== 'number' || typeof message !== 'string') throw new Error(`malformed error object: ${text.slice(0, 200)}`);
      if (!isAllowedErrorCode(code)) throw new Error(`error code ${code} (${message}) is not allowed for bad input: ${text.slice(0, 300)}`);
    }
  }
  if (ids) {
    const got = list.map((r) => r.id);
    const overLimit = list.length === 1 && ids.length > 1 && list[0]!.error !== undefined && list[0]!.id === null;
    if (!overLimit && JSON.stringify([...got].sort()) !== JSON.stringify([...ids].sort())) {
      throw new Error(`ids not echoed: sent ${JSON.stringify(ids).slice(0, 100)}, got ${JSON.stringify(got).slice(0, 100)}`);
    }
  }
  return list;
}
