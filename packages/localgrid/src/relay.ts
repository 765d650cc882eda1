/**
 * A TCP relay from the host's loopback to a server on the bridge address: the chain and the
 * explorer listen on the bridge (where the namespaces reach them) and stay reachable on
 * 127.0.0.1 for the CLI, without listening on every interface.
 */
import net from 'node:net';
import { LocalGridError } from './errors';

export interface Relay {
  port: number;
  stop(): Promise<void>;
}

const MAX_CONNECTIONS = 512;

export async function startRelay(o: {
  listenHost: string;
  listenPort: number;
  targetHost: string;
  targetPort: number;
  what: string;
}): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(o.targetPort, o.targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      // Either side failing ends both; the peer sees a reset, as it would from the server itself.
      s.once('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new LocalGridError(
              'bad-option',
              `${o.what}: port ${o.listenPort} is taken on ${o.listenHost}: pick another (0 = any free port)`,
            )
          : e,
      ),
    );
    server.listen(o.listenPort, o.listenHost, resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
