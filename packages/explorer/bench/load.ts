/** A small keep-alive HTTP load generator: `connections` loops, each one request at a time. */
import http from 'node:http';
import { RawConnection } from './raw-client';

export interface LoadResult {
  requests: number;
  /** Requests answered including the warm-up. */
  total: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

function request(agent: http.Agent, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

/** `paths`: cycled through in turn, or a function of the request's sequence number (e.g. unique queries). */
export async function load(
  base: string,
  paths: string[] | ((i: number) => string),
  opts: { connections: number; seconds: number; warmupSeconds: number; client?: 'raw' | 'node' },
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const raw = opts.client !== 'node';
  const urls = typeof paths === 'function' ? [] : paths.map((p) => new URL(p, base));
  const next = typeof paths === 'function' ? (i: number) => new URL(paths(i), base) : (i: number) => urls[i % urls.length]!;
  const lat: number[] = [];
  let errors = 0;
  let total = 0;
  let i = 0;
  const t0 = Date.now();
  const measureFrom = t0 + opts.warmupSeconds * 1000;
  const end = measureFrom + opts.seconds * 1000;
  let mStart = 0n;
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      let conn = raw ? new RawConnection(new URL(base)) : undefined;
      while (Date.now() < end) {
        const u = next(i++);
        const s = process.hrtime.bigint();
        const status = conn
          ? await conn.get(u.pathname + u.search).catch(() => {
              conn!.close();
              conn = new RawConnection(new URL(base));
              return 0;
            })
          : await request(agent, u).catch(() => 0);
        const e = process.hrtime.bigint();
        total++;
        if (Date.now() < measureFrom) continue;
        if (mStart === 0n) mStart = s;
        if (status !== 200) errors++;
        lat.push(Number(e - s) / 1e6);
      }
      conn?.close();
    }),
  );
  agent.destroy();
  lat.sort((a, b) => a - b);
  const seconds = opts.seconds;
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? 0;
  return { requests: lat.length, total, errors, seconds, rps: lat.length / seconds, p50: q(0.5), p99: q(0.99) };
}
