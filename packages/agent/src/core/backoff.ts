/** Exponential backoff and abortable sleeps. */

export interface BackoffOptions {
  minMs?: number;
  maxMs?: number;
  signal?: AbortSignal;
  /** Called after each failure with the delay before the next attempt. */
  onError?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Resolves after `ms`, or rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The delay before attempt `attempt` (1-based): min·2^(attempt-1), capped at max, with ±20 % jitter. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Runs `fn` until it succeeds or the signal aborts, backing off exponentially between failures. */
export async function retry<T>(fn: () => Promise<T>, o: BackoffOptions = {}): Promise<T> {
  const minMs = o.minMs ?? 1000;
  const maxMs = o.maxMs ?? 5 * 60_000;
  for (let attempt = 1; ; attempt++) {
    o.signal?.throwIfAborted();
    try {
      return await fn();
    } catch (e) {
      if (o.signal?.aborted) throw o.signal.reason;
      const d = backoffDelay(attempt, minMs, maxMs);
      o.onError?.(e, attempt, d);
      await sleep(d, o.signal);
    }
  }
}

/** `p`, or a rejection with the signal's reason as soon as it aborts (the work itself may go on). */
export function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
