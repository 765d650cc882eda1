/** Pieces every page uses: loading, errors in the API's words, empty states, status, capacity. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Answer, type Query } from './api';
import { percent, size } from './format';
import { useLiveRefresh } from './live';
import type { Periods, Status } from './types';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ok'; data: T; count: number | null };

/**
 * GETs `path` with `q`, again when they change and when the live stream reports a change of one of
 * `liveTypes` (a refresh keeps the current figures on screen until the new ones arrive).
 */
export function useApi<T>(path: string | null, q: Query = {}, liveTypes: string[] = []): Loaded<T> {
  const [tick, setTick] = useState(0);
  // What was loaded, for which question: an answer to another question is never shown as this one's.
  const [loaded, setLoaded] = useState<{ key: string; value: Loaded<T> } | null>(null);
  const key = path === null ? '' : path + JSON.stringify(q);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  useLiveRefresh(liveTypes, refresh);
  useEffect(() => {
    if (path === null) return undefined;
    const abort = new AbortController();
    api<T>(path, q, abort.signal).then(
      (a: Answer<T>) => setLoaded({ key, value: { state: 'ok', data: a.body, count: a.count } }),
      (e: Error) => {
        if (e.name !== 'AbortError') setLoaded({ key, value: { state: 'error', message: e.message } });
      },
    );
    return () => abort.abort();
  }, [key, tick]);
  return loaded !== null && loaded.key === key ? loaded.value : { state: 'loading' };
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorBox({ message }: { message: string }) {
  return (
    <p class="error" role="alert">
      <strong>The explorer refused:</strong> {message}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Renders `ok` with the data, else the loading or error state. */
export function Show<T>({
  loaded,
  what,
  ok,
}: {
  loaded: Loaded<T>;
  what: string;
  ok: (data: T, count: number | null) => ComponentChildren;
}) {
  if (loaded.state === 'loading') return <Loading what={what} />;
  if (loaded.state === 'error') return <ErrorBox message={loaded.message} />;
  return <>{ok(loaded.data, loaded.count)}</>;
}

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span class={`status status-${status}`}>
      <span class="dot" aria-hidden="true" />
      {status}
    </span>
  );
}

/** Used against total as a bar, with the figures in words. */
export function Capacity({ label, used, total, bytes = true }: { label: string; used: number; total: number; bytes?: boolean }) {
  const ratio = total > 0 ? Math.min(1, used / total) : 0;
  const fmt = (n: number) => (bytes ? size(n) : String(n));
  return (
    <div class="capacity">
      <div class="capacity-label">
        <span>{label}</span>
        <span>
          {fmt(used)} used of {fmt(total)} · {fmt(Math.max(0, total - used))} free
        </span>
      </div>
      <div
        class="bar"
        role="meter"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(ratio * 100)}
        aria-valuetext={percent(ratio)}
      >
        <div class="bar-fill" style={{ width: `${ratio * 100}%` }} />
      </div>
    </div>
  );
}

/** A select of the recent minting periods (the current one first, marked in progress). */
export function PeriodPicker({ periods, value, onChange }: { periods: Periods; value: number; onChange: (id: number) => void }) {
  const fmt = (s: number) => new Date(s * 1000).toISOString().slice(0, 10);
  return (
    <label class="inline">
      Minting period{' '}
      <select value={String(value)} onChange={(e) => onChange(Number((e.target as HTMLSelectElement).value))}>
        {[periods.current, ...periods.recent.filter((p) => p.id !== periods.current.id)]
          .sort((a, b) => b.id - a.id)
          .map((p) => (
            <option value={String(p.id)} key={p.id}>
              {p.id}: {fmt(p.start)} – {fmt(p.end)}
              {p.id === periods.current.id ? ' (in progress)' : ''}
            </option>
          ))}
      </select>
    </label>
  );
}

export function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}
