/**
 * The queue behind the answer publisher and the resource reporter: repeated marks coalesce into
 * one, batches keep marking order and size, a failed batch is marked again with a growing backoff
 * that a success resets, the oldest mark goes past the bound, and stop() waits for the batch in hand.
 */
import { CoalescingQueue, CodedError, type CoalescingQueueOptions } from '../src';
import { until } from './support/grid';

/** A promise and the function that resolves it. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

/** A queue recording each batch its handler gets; `hold` makes a batch wait for its gate. */
function recording(o: Partial<CoalescingQueueOptions<number>> = {}, hold?: Promise<void>) {
  const batches: number[][] = [];
  const q = new CoalescingQueue<number>({
    maxPending: 100,
    retryMinMs: 1,
    retryMaxMs: 5,
    handle: async (keys) => {
      batches.push(keys);
      if (hold && batches.length === 1) await hold;
    },
    ...o,
  });
  return { q, batches };
}

test('marks made while a batch is in hand coalesce into the next batch, in marking order', async () => {
  const g = gate();
  const { q, batches } = recording({}, g.opened);
  q.mark(7);
  q.start();
  await until('batches.length === 1', () => batches.length === 1, 5000);
  for (const k of [1, 1, 2, 1, 7]) q.mark(k);
  expect(q.pending()).toEqual([1, 2, 7]);
  g.open();
  await until('batches.length === 2 && q.pending().length === 0', () => batches.length === 2 && q.pending().length === 0, 5000);
  expect(batches).toEqual([[7], [1, 2, 7]]);
  await q.stop();
});

test('perBatch splits what waits; marks made while stopped are taken at start', async () => {
  const { q, batches } = recording({ perBatch: 2 });
  for (const k of [1, 2, 3, 4, 5]) q.mark(k);
  expect(q.running).toBe(false);
  q.start();
  expect(q.running).toBe(true);
  await until('batches.length === 3', () => batches.length === 3, 5000);
  expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  await q.stop();
  expect(q.running).toBe(false);
});

test('past maxPending the oldest mark is dropped and told', () => {
  const dropped: [number, number][] = [];
  const { q } = recording({ maxPending: 3, onDrop: (k, max) => dropped.push([k, max]) });
  for (const k of [1, 2, 3, 3, 4, 5]) q.mark(k);
  expect(q.pending()).toEqual([3, 4, 5]);
  expect(dropped).toEqual([
    [1, 3],
    [2, 3],
  ]);
});

test('a failed batch is marked again and retried with a growing attempt count that a success resets', async () => {
  let failuresLeft = 2;
  const batches: number[][] = [];
  const retries: { keys: number[]; attempt: number; delayMs: number; err: string }[] = [];
  const q = new CoalescingQueue<number>({
    maxPending: 100,
    retryMinMs: 1,
    retryMaxMs: 5,
    handle: async (keys) => {
      batches.push(keys);
      if (failuresLeft-- > 0) throw new Error('chain away');
    },
    onRetry: (err, keys, attempt, delayMs) => retries.push({ keys, attempt, delayMs, err: (err as Error).message }),
  });
  q.mark(1);
  q.mark(2);
  q.start();
  await until('batches.length === 3', () => batches.length === 3, 5000);
  expect(batches).toEqual([
    [1, 2],
    [1, 2],
    [1, 2],
  ]);
  expect(retries.map((r) => [r.keys, r.attempt, r.err])).toEqual([
    [[1, 2], 1, 'chain away'],
    [[1, 2], 2, 'chain away'],
  ]);
  for (const r of retries) expect(r.delayMs).toBeLessThanOrEqual(6); // capped at retryMaxMs (+20 % jitter)
  // After the success the next failure starts over at attempt 1.
  failuresLeft = 1;
  q.mark(3);
  await until('batches.length === 5', () => batches.length === 5, 5000);
  expect(retries.at(-1)).toMatchObject({ keys: [3], attempt: 1 });
  expect(q.pending()).toEqual([]);
  await q.stop();
});

test('stop() aborts the batch in hand and resolves once its handler returned; that batch is not marked again', async () => {
  const started = gate();
  let handlerDone = false;
  const q = new CoalescingQueue<number>({
    maxPending: 10,
    handle: async (_keys, signal) => {
      started.open();
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      await new Promise((r) => setImmediate(r)); // still working after the abort
      handlerDone = true;
      throw signal.reason;
    },
  });
  q.mark(1);
  q.start();
  await started.opened;
  q.mark(2);
  await q.stop('test over');
  expect(handlerDone).toBe(true);
  expect(q.pending()).toEqual([2]);
  // Stopping an idle or stopped queue returns at once.
  await q.stop();
});

test('bad limits are refused with a code', () => {
  const handle = async (): Promise<void> => undefined;
  for (const o of [{ maxPending: 0 }, { maxPending: 1.5 }, { maxPending: 5, perBatch: 0 }]) {
    expect(() => new CoalescingQueue<number>({ handle, ...o })).toThrow(CodedError);
    try {
      new CoalescingQueue<number>({ handle, ...o });
    } catch (e) {
      expect((e as CodedError<string>).code).toBe('BAD_QUEUE_LIMIT');
    }
  }
});
