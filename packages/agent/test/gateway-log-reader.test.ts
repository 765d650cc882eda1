/** The batched reader of HAProxy's request log lines (src/gateway/haproxy/log-reader.ts). */
import { PassThrough } from 'node:stream';
import { LogReader } from '../src/gateway/haproxy';

function reader(batchMs: number, maxLine = 64): { s: PassThrough; lines: string[]; r: LogReader } {
  const s = new PassThrough();
  const lines: string[] = [];
  const r = new LogReader(s, { batchMs, maxLine, onLine: (l) => lines.push(l) });
  return { s, lines, r };
}

test('lines split across writes come out whole, empty ones dropped, in order', async () => {
  const { s, lines, r } = reader(0);
  s.write('TFGW a|200|1');
  s.write('|-|--\n\nTFGW b|404|2|unknown_name|--\nTFGW c');
  s.write('|502|3|-|SC\n');
  await r.drain();
  expect(lines).toEqual(['TFGW a|200|1|-|--', 'TFGW b|404|2|unknown_name|--', 'TFGW c|502|3|-|SC']);
});

test('after a read the stream waits for the batch time; drain() reads what came meanwhile at once', async () => {
  const { s, lines, r } = reader(60_000);
  s.write('one\n');
  await new Promise((res) => setImmediate(res));
  expect(lines).toEqual(['one']);
  s.write('two\nthree\n');
  await new Promise((res) => setTimeout(res, 20));
  // Paused for the batch: nothing read yet.
  expect(lines).toEqual(['one']);
  await r.drain();
  expect(lines).toEqual(['one', 'two', 'three']);
  s.destroy();
});

test('what waits for its line end is kept to its last maxLine characters (bounded memory for a line that never ends)', async () => {
  const { s, lines, r } = reader(0, 8);
  s.write('x'.repeat(1000));
  s.write('abc\n');
  await r.drain();
  expect(lines).toEqual(['xxxxxxxxabc']);
});
