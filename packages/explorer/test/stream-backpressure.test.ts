/**
 * Without a chain: clients of /events/stream that stop reading are dropped once their unsent data
 * passes the bound, the metric counts them, the unsent bytes the process holds stay bounded
 * throughout, and a client that reads gets every event. A replay larger than the bound is a reset.
 */
import net from 'node:net';
import { ExplorerMetrics, type BlockChanges } from '../src';
import { gridApp, type GridApp } from './grid-fixture';

const BOUND = 256 * 1024;
const BLOCK_BYTES = 128 * 1024;
const SLOW_CLIENTS = 4;
/** Enough to fill the kernel's socket buffers (a few MiB on loopback) and the bound many times over. */
const MAX_BLOCKS = 600;

const metrics = new ExplorerMetrics();
let grid: GridApp;
const sockets: net.Socket[] = [];
let readerAbort: AbortController | undefined;
beforeAll(async () => {
  grid = await gridApp({ metrics, stream: { maxUnsentBytes: BOUND } });
});
afterAll(async () => {
  readerAbort?.abort();
  for (const s of sockets) s.destroy();
  await grid.close();
});

const block = (n: number): BlockChanges => ({
  block: n,
  hash: `0x${n.toString(16)}`,
  timestamp: 1_800_000_000 + n,
  changes: [{ type: 'node', key: String(n).padStart(10, '0'), action: 'updated', record: { filler: 'x'.repeat(BLOCK_BYTES) } }],
});

/** A client that sends its request and never reads: paused before it connects. */
function slowClient(): Promise<net.Socket> {
  const { port } = grid.app.server.address() as net.AddressInfo;
  const s = net.connect({ host: '127.0.0.1', port });
  s.pause();
  sockets.push(s);
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.once('connect', () => s.write('GET /events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', () => resolve(s)));
  });
}

/** A client that reads everything: the last block id it has received in full. */
async function readingClient(): Promise<{ last: () => number; events: () => number }> {
  readerAbort = new AbortController();
  const res = await fetch(`${grid.url}/events/stream`, { signal: readerAbort.signal });
  expect(res.status).toBe(200);
  let last = 0;
  let events = 0;
  let pending = '';
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      const parts = pending.split('\n\n');
      pending = parts.pop()!;
      for (const e of parts) {
        const id = /^id: (\d+)\nevent: changes\n/.exec(e);
        if (id) {
          last = Number(id[1]);
          events++;
        }
      }
    }
  })().catch(() => undefined); // aborted at the end
  return { last: () => last, events: () => events };
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 20_000 && !ok(); i++) await new Promise((r) => setTimeout(r, 1));
  if (!ok()) throw new Error(`gave up waiting for ${what}`);
}

const scrape = async (): Promise<string> => metrics.registry.metrics();
const value = (text: string, series: string): number =>
  Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

test('clients that stop reading are dropped at the bound; a reading client gets every block; the held bytes stay bounded', async () => {
  expect(value(await scrape(), 'explorer_stream_clients_dropped_total{reason="backlog"}')).toBe(0);
  await Promise.all(Array.from({ length: SLOW_CLIENTS }, slowClient));
  const reader = await readingClient();
  await until('all stream clients to be open', () => grid.view.feed.listeners === SLOW_CLIENTS + 1);
  const rssBefore = process.memoryUsage().rss;

  let published = 0;
  let maxUnsent = 0;
  while (grid.view.feed.listeners > 1 && published < MAX_BLOCKS) {
    grid.view.feed.publish(block(++published));
    await until(`the reading client to receive block ${published}`, () => reader.last() === published);
    maxUnsent = Math.max(maxUnsent, metrics.unsentStreamBytes());
  }
  // Dropped long before the limit of the loop, and only the clients that did not read.
  expect(grid.view.feed.listeners).toBe(1);
  expect(published).toBeLessThan(MAX_BLOCKS);
  expect(reader.events()).toBe(published);
  // Each slow client holds at most the bound plus one event, the reader next to nothing.
  expect(maxUnsent).toBeLessThanOrEqual(SLOW_CLIENTS * (BOUND + BLOCK_BYTES + 1024) + BLOCK_BYTES + 1024);
  expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * 1024 * 1024);

  const text = await scrape();
  expect(value(text, 'explorer_stream_clients_dropped_total{reason="backlog"}')).toBe(SLOW_CLIENTS);
  expect(value(text, 'explorer_stream_clients')).toBe(1);
  expect(value(text, 'explorer_stream_unsent_bytes')).toBeLessThan(BOUND);

  // The dropped clients' connections are closed: reading again, each reaches its end.
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.on('data', () => undefined);
          s.once('close', () => resolve());
          s.resume();
        }),
    ),
  );
});

test('a replay larger than the bound is sent as a reset, not dropped', async () => {
  const res = await fetch(`${grid.url}/events/stream`, { headers: { 'last-event-id': '1' } });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while (!text.includes('event: reset')) {
    const { value: chunk, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(chunk);
  }
  await reader.cancel();
  expect(text).toContain('event: reset');
  expect(text).toContain('more than one replay may send');
  expect(text).not.toContain('event: changes');
  expect(value(await scrape(), 'explorer_stream_clients_dropped_total{reason="backlog"}')).toBe(SLOW_CLIENTS);
});

test('a bound that is not a positive integer is refused', async () => {
  await expect(gridApp({ stream: { maxUnsentBytes: 0 } })).rejects.toThrow(/maxUnsentBytes/);
});
