/**
 * The TCP probe of the network benchmark, run inside a machine's namespace
 * (`ip netns exec NS node --import tsx bench/network-probe.ts …`), so the measured traffic crosses
 * exactly the interfaces a zmachine's would. One line of JSON on stdout per run.
 *
 *   serve PORT                       listen on [::]:PORT; each connection's first byte picks its
 *                                    mode: 'T' counts what it receives and answers the count at
 *                                    the end, 'L' echoes
 *   throughput HOST PORT SECONDS     send for SECONDS → {bytes, seconds, mbitPerS}
 *   latency HOST PORT COUNT          COUNT 64-byte round trips → {medianMs, p99Ms, count}
 */
import net from 'node:net';
import { nearestRank } from './measure';

const CHUNK = Buffer.alloc(1024 * 1024, 0x5a);
const MESSAGE = 64;
const WARMUP_ROUNDS = 50;

function serve(port: number): void {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    let mode: 'T' | 'L' | undefined;
    let count = 0;
    s.on('data', (b: Buffer) => {
      let data = b;
      if (!mode) {
        mode = data[0] === 0x54 ? 'T' : 'L';
        data = data.subarray(1);
      }
      if (mode === 'T') count += data.length;
      else if (data.length) s.write(data);
    });
    s.on('end', () => {
      if (mode !== 'T') return void s.end();
      const answer = Buffer.alloc(8);
      answer.writeBigUInt64BE(BigInt(count));
      s.end(answer);
    });
    s.on('error', () => s.destroy());
  });
  server.listen({ port, host: '::', ipv6Only: false }, () => console.log(JSON.stringify({ listening: port })));
}

const connect = (host: string, port: number): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    s.setNoDelay(true);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });

/** Writes as fast as the socket drains for `seconds`; the receiver's count over the time to its answer. */
async function throughput(host: string, port: number, seconds: number): Promise<void> {
  const s = await connect(host, port);
  const answer = new Promise<bigint>((resolve, reject) => {
    const got: Buffer[] = [];
    s.on('data', (b: Buffer) => got.push(b));
    s.once('end', () => resolve(Buffer.concat(got).readBigUInt64BE(0)));
    s.once('error', reject);
  });
  s.write('T');
  const start = performance.now();
  const until = start + seconds * 1000;
  while (performance.now() < until) {
    if (!s.write(CHUNK)) await new Promise((r) => s.once('drain', r));
  }
  s.end();
  const bytes = Number(await answer);
  const elapsed = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ bytes, seconds: elapsed, mbitPerS: (bytes * 8) / elapsed / 1e6 }));
}

async function latency(host: string, port: number, count: number): Promise<void> {
  const s = await connect(host, port);
  s.write('L');
  const message = Buffer.alloc(MESSAGE, 0x6c);
  let waiting: (() => void) | undefined;
  let pending = 0;
  s.on('data', (b: Buffer) => {
    pending -= b.length;
    if (pending <= 0 && waiting) waiting();
  });
  const once = (): Promise<number> =>
    new Promise((resolve) => {
      const t = performance.now();
      pending = MESSAGE;
      waiting = () => resolve(performance.now() - t);
      s.write(message);
    });
  for (let i = 0; i < WARMUP_ROUNDS; i++) await once();
  const rtt: number[] = [];
  for (let i = 0; i < count; i++) rtt.push(await once());
  s.end();
  rtt.sort((a, b) => a - b);
  console.log(JSON.stringify({ medianMs: nearestRank(rtt, 0.5), p99Ms: nearestRank(rtt, 0.99), count }));
}

const [role, a, b, c] = process.argv.slice(2);
const run =
  role === 'serve'
    ? Promise.resolve(serve(Number(a)))
    : role === 'throughput'
      ? throughput(a!, Number(b), Number(c))
      : role === 'latency'
        ? latency(a!, Number(b), Number(c))
        : Promise.reject(new Error(`unknown role ${role}`));
run.then(
  () => (role === 'serve' ? undefined : process.exit(0)),
  (e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  },
);
