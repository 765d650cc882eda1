/**
 * The explorer's event stream (/events/stream), one EventSource for the page. Listeners get each
 * block's changes; `reset` (the explorer no longer holds what was missed) tells them to reload.
 * EventSource retries a dropped connection itself; when it gives up (CLOSED) the page opens a new
 * one after a pause, resuming after the last block seen.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BlockChanges } from './types';

export type StreamState = 'connecting' | 'up' | 'down';
type Listener = (b: BlockChanges | 'reset') => void;

const listeners = new Set<Listener>();
const stateListeners = new Set<(s: StreamState) => void>();
let state: StreamState = 'connecting';
let lastId: string | null = null;
let source: EventSource | null = null;
const RETRY_MS = 2000;
/** The blocks seen since the page opened (the newest 100), for the Live page. */
const recent: BlockChanges[] = [];
export const recentBlocks = (): readonly BlockChanges[] => recent;

function setState(s: StreamState): void {
  if (s === state) return;
  state = s;
  for (const l of stateListeners) l(s);
}

function open(): void {
  source = new EventSource('/events/stream' + (lastId ? `?last_event_id=${encodeURIComponent(lastId)}` : ''));
  source.onopen = () => setState('up');
  source.onerror = () => {
    setState('down');
    if (source?.readyState === EventSource.CLOSED) {
      source = null;
      setTimeout(open, RETRY_MS);
    }
  };
  source.addEventListener('changes', (e) => {
    const ev = e as MessageEvent<string>;
    lastId = ev.lastEventId || lastId;
    const b = JSON.parse(ev.data) as BlockChanges;
    recent.push(b);
    if (recent.length > 100) recent.shift();
    for (const l of listeners) l(b);
  });
  source.addEventListener('reset', () => {
    for (const l of listeners) l('reset');
  });
}

export function startStream(): void {
  if (!source) open();
}

export function useStreamState(): StreamState {
  const [s, set] = useState(state);
  useEffect(() => {
    stateListeners.add(set);
    set(state);
    return () => void stateListeners.delete(set);
  }, []);
  return s;
}

/** Calls `onChange` (at most every 500 ms) when a block changes records of these types. */
export function useLiveRefresh(types: string[], onChange: () => void, match: (b: BlockChanges) => boolean = () => true): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const l: Listener = (b) => {
      if (b !== 'reset' && !(b.changes.some((c) => types.includes(c.type)) && match(b))) return;
      if (timer === undefined) timer = setTimeout(() => ((timer = undefined), onChange()), 500);
    };
    listeners.add(l);
    return () => {
      listeners.delete(l);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [types.join(','), onChange]);
}

/** Every block's changes, for the Live page. */
export function useBlocks(onBlock: (b: BlockChanges) => void): void {
  useEffect(() => {
    const l: Listener = (b) => b !== 'reset' && onBlock(b);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, [onBlock]);
}
