/** A TCP proxy between the client and the dev chain whose connections a test can cut at will. */
import net from 'node:net';

export interface CuttableProxy {
  url: string;
  /** Destroys every open connection (the client sees an abnormal close and reconnects). */
  cut(): number;
  /**
   * Stops passing the client's bytes on (a link that died without a close): requests sent after it
   * get no answer until the next cut. New connections pass again.
   */
  hold(): void;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<CuttableProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const holds = new Set<() => void>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    const hold = (): void => {
      client.unpipe(upstream);
      client.on('data', () => undefined); // read and drop, so the client's writes still succeed
    };
    holds.add(hold);
    client.on('close', () => holds.delete(hold));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${addr.port}`,
    hold() {
      for (const h of holds) h();
      holds.clear();
    },
    cut() {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
