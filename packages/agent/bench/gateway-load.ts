/**
 * The gateway benchmark's load generators: `connections` keep-alive connections, each one request
 * at a time, for a bounded time after a 1 s warm-up. The same generator drives every leg (direct,
 * the gateway, the bare HAProxy), so what differs between legs is only what stands in the path.
 */
import http from 'node:http';
import net from 'node:net';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests including the warm-up second (what CPU time sampled around the whole leg is divided by). */
  allRequests: number;
}

/** `connections` loops, each one request at a time on its own keep-alive socket, for `seconds`. */
export async function load(port: number, host: string, seconds: number, connections: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/', agent, headers: { host } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  const run = async (until: number, lat: number[] | undefined): Promise<{ n: number; errors: number }> => {
    let n = 0;
    let errors = 0;
    while (performance.now() < until) {
      const t = performance.now();
      try {
        await one();
        n++;
        lat?.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
    return { n, errors };
  };
  // Warm-up: open the sockets, let the JIT settle.
  const warm = performance.now() + 1000;
  const warmed = await Promise.all(Array.from({ length: connections }, () => run(warm, undefined)));
  const lat: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  const results = await Promise.all(Array.from({ length: connections }, () => run(end, lat)));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  return loadResult(
    lat,
    results,
    warmed.reduce((s, r) => s + r.n, 0),
    elapsed,
  );
}

/** A load run's figures from its latencies, its connections' counts and the warm-up's requests. */
function loadResult(lat: number[], results: { n: number; errors: number }[], warmRequests: number, seconds: number): LoadResult {
  lat.sort((a, b) => a - b);
  const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  const requests = results.reduce((s, r) => s + r.n, 0);
  return {
    requests,
    errors: results.reduce((s, r) => s + r.errors, 0),
    seconds,
    rps: requests / seconds,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    allRequests: requests + warmRequests,
  };
}

/**
 * The same measurement with a raw-socket client (one pre-built request per connection at a
 * time, responses framed by Content-Length): it costs far less CPU than http.request, so on a
 * 2-core machine more of the CPU goes to what is measured instead of to the measuring.
 */
export async function loadRaw(port: number, host: string, seconds: number, connections: number): Promise<LoadResult> {
  const request: Buffer = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: tfgrid-bench\r\n\r\n`);
  const lat: number[] = [];
  let measuring = false;
  let stopAt = Infinity;
  const conn = (): Promise<{ n: number; errors: number; warm: number }> =>
    new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.setNoDelay(true);
      let buf: Buffer = Buffer.alloc(0);
      let n = 0;
      let errors = 0;
      let t = 0;
      let warm = 0;
      const send = (): void => {
        if (performance.now() >= stopAt) return void s.end();
        t = performance.now();
        s.write(request);
      };
      s.on('connect', send);
      s.on('data', (d: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.subarray(0, end).toString('latin1');
          const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          const total = end + 4 + (cl ? Number(cl[1]) : 0);
          if (buf.length < total) return;
          if (head.startsWith('HTTP/1.1 200')) {
            if (measuring) {
              n++;
              lat.push(performance.now() - t);
            } else warm++;
          } else errors++;
          buf = buf.subarray(total);
          send();
        }
      });
      s.on('error', () => errors++);
      s.on('close', () => resolve({ n, errors, warm }));
    });
  const all = Array.from({ length: connections }, conn);
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  measuring = true;
  const start = performance.now();
  stopAt = start + seconds * 1000;
  const results = await Promise.all(all);
  const elapsed = (performance.now() - start) / 1000;
  return loadResult(
    lat,
    results,
    results.reduce((a, r) => a + r.warm, 0),
    elapsed,
  );
}
