/**
 * Yggdrasil's admin API: one JSON request per connection on its unix socket, one JSON answer
 * `{status, response}` back. Answers are bounded in size and time: the daemon is ours, but a
 * wedged one must not wedge the agent.
 */
import { createConnection } from 'node:net';
import { PlanetaryError } from './errors';

const MAX_ANSWER = 1024 * 1024;

export interface SelfInfo {
  /** The node's Yggdrasil address (200::/7), derived from its key. */
  address: string;
  /** The /64 it routes to its zmachines (300::/8). */
  subnet: string;
  /** Its public key, hex. */
  key: string;
}

export interface PeerInfo {
  uri?: string;
  remote?: string;
  address?: string;
  key?: string;
  up?: boolean;
}

export class YggdrasilAdmin {
  readonly #socket: string;
  readonly #timeoutMs: number;

  constructor(socket: string, timeoutMs = 5000) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
  }

  request<T = Record<string, unknown>>(name: string, args?: Record<string, unknown>): Promise<T> {
    return new Promise((resolve, reject) => {
      const conn = createConnection(this.#socket);
      const chunks: Buffer[] = [];
      let size = 0;
      const fail = (e: PlanetaryError) => {
        conn.destroy();
        reject(e);
      };
      const timer = setTimeout(
        () => fail(new PlanetaryError('admin-timeout', `yggdrasil admin '${name}' did not answer in ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
      conn.on('connect', () => conn.write(JSON.stringify(args ? { request: name, arguments: args } : { request: name })));
      conn.on('error', (e) => {
        clearTimeout(timer);
        fail(
          new PlanetaryError(
            'admin-unreachable',
            `yggdrasil admin socket ${this.#socket}: ${(e as NodeJS.ErrnoException).code ?? e.message}`,
          ),
        );
      });
      conn.on('data', (b: Buffer) => {
        size += b.length;
        if (size > MAX_ANSWER) {
          clearTimeout(timer);
          return fail(new PlanetaryError('admin-too-large', `yggdrasil admin '${name}' answered more than ${MAX_ANSWER} bytes`));
        }
        chunks.push(b);
        // The daemon keeps the connection open for more requests: settle on the first whole JSON value.
        let answer: { status?: string; error?: string; response?: T };
        try {
          answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return;
        }
        clearTimeout(timer);
        conn.end();
        if (answer.status !== 'success')
          reject(new PlanetaryError('admin-refused', `yggdrasil admin '${name}' refused: ${answer.error ?? answer.status}`));
        else resolve((answer.response ?? {}) as T);
      });
    });
  }

  async self(): Promise<SelfInfo> {
    const r = await this.request<{ address: string; subnet: string; key: string }>('getSelf');
    return { address: r.address, subnet: r.subnet, key: r.key };
  }

  async peers(): Promise<PeerInfo[]> {
    return (await this.request<{ peers?: PeerInfo[] }>('getPeers')).peers ?? [];
  }

  async addPeer(uri: string): Promise<void> {
    await this.request('addPeer', { uri });
  }

  async removePeer(uri: string): Promise<void> {
    await this.request('removePeer', { uri });
  }
}
