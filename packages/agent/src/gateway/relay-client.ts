/**
 * The in-process gateway engine's side of a network relay (network-relay.js, inside a private
 * network's namespace). A route on a network carries the relay's control socket (`via`, what
 * NetworkRelays.use answered); a connection to a backend on it is a plain connection to the
 * backend's own target socket (viaSocket: opened on first use), which the relay carries to the
 * backend. No preamble, as for HAProxy's `unix@` servers: a backend that refuses shows as a
 * connection closed before any byte.
 */
import net from 'node:net';
import { viaSocket } from './relays';

/** A coded error as the engine's connect failures carry them (the relay's own codes: RelayError). */
function relayError(code: string, message: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(message);
  e.code = code;
  return e;
}

/**
 * A socket to `host:port` behind the relay at `via`, returned at once and connected once the
 * target's socket is known: 'connect' as for TCP, or 'error' (the relay's refusal, or the socket's).
 */
export function relaySocket(via: string, host: string, port: number): net.Socket {
  const s = new net.Socket();
  viaSocket(via, host, port).then(
    (p) => {
      if (!s.destroyed) s.connect({ path: p });
    },
    (e: Error) => s.destroy(e),
  );
  return s;
}

/**
 * A socket to `host:port` through the relay at `via`, handed to `cb` paused once connected to the
 * target's socket (or the error: the relay's, the socket's, or a timeout after `timeoutMs`).
 */
export function connectVia(
  via: string,
  host: string,
  port: number,
  timeoutMs: number,
  cb: (err: NodeJS.ErrnoException | null, socket?: net.Socket) => void,
): void {
  const s = relaySocket(via, host, port);
  let done = false;
  const finish = (err: NodeJS.ErrnoException | null): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    s.off('error', finish);
    if (err) {
      s.destroy();
      return cb(err);
    }
    s.pause();
    cb(null, s);
  };
  const timer = setTimeout(() => finish(relayError('ETIMEDOUT', 'connect timeout')), timeoutMs);
  s.on('error', finish);
  s.once('connect', () => finish(null));
}
