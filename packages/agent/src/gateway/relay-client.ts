/**
 * The gateway's side of a network relay (network-relay.js, inside a private network's namespace):
 * connect to its Unix socket, write `<ipv4> <port>\n`, read `OK\n` (then the socket carries the
 * backend's bytes) or `ERR <code>\n`. Until OK the exchange counts as the connect, so a refused or
 * unreachable backend behind a relay fails over like a failed TCP connect.
 */
import net from 'node:net';

/** Longest reply line a relay sends. */
const MAX_REPLY = 64;

export function relayRequest(host: string, port: number): string {
  return `${host} ${port}\n`;
}

/** The relay's reply at the start of `buf`: undefined while incomplete, else OK with the bytes after it, or the error. */
export function relayReply(buf: Buffer): { rest: Buffer } | { err: NodeJS.ErrnoException } | undefined {
  const eol = buf.indexOf(10);
  if (eol < 0) return buf.length > MAX_REPLY ? { err: relayError('ERELAY', 'relay reply too long') } : undefined;
  const line = buf.toString('latin1', 0, eol);
  if (line === 'OK') return { rest: buf.subarray(eol + 1) };
  const code = /^ERR ([A-Z0-9_]{1,24})$/.exec(line)?.[1] ?? 'ERELAY';
  return { err: relayError(code, `network relay: ${code === 'EOUTOFRANGE' ? 'backend outside the network' : code}`) };
}

export function relayError(code: string, message: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(message);
  e.code = code;
  return e;
}

/**
 * A socket to `host:port` through the relay at `via`, handed to `cb` once the relay is connected
 * (or the error: the relay's, the socket's, or a timeout after `timeoutMs`).
 */
export function connectVia(via: string, host: string, port: number, timeoutMs: number, cb: (err: NodeJS.ErrnoException | null, socket?: net.Socket) => void): void {
  const s = net.connect({ path: via });
  let buf: Buffer = Buffer.alloc(0);
  let done = false;
  const finish = (err: NodeJS.ErrnoException | null, rest?: Buffer): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    s.off('data', onData);
    s.off('error', onError);
    s.off('close', onClose);
    if (err) {
      s.destroy();
      return cb(err);
    }
    s.pause();
    if (rest?.length) s.unshift(rest);
    cb(null, s);
  };
  const onData = (d: Buffer): void => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    const r = relayReply(buf);
    if (!r) return;
    if ('err' in r) finish(r.err);
    else finish(null, r.rest);
  };
  const onError = (e: NodeJS.ErrnoException): void => finish(e);
  const onClose = (): void => finish(relayError('ECONNRESET', 'network relay closed the connection'));
  const timer = setTimeout(() => finish(relayError('ETIMEDOUT', 'connect timeout')), timeoutMs);
  s.on('data', onData);
  s.on('error', onError);
  s.on('close', onClose);
  s.once('connect', () => s.write(relayRequest(host, port)));
}
