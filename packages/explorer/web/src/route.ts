/**
 * Hash routes (`#/nodes?status=up`): a link reproduces a view and the server needs no page routes.
 * The query of a list page is the API's own query, so what the URL says is what was asked.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** Path segments: `#/nodes/7` → ['nodes', '7']. */
  parts: string[];
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#/, '');
  const [p = '', q = ''] = h.split('?', 2);
  return { parts: p.split('/').filter(Boolean), params: new URLSearchParams(q) };
}

export function href(path: string, params?: Record<string, string | undefined> | URLSearchParams): string {
  const p = params instanceof URLSearchParams ? new URLSearchParams(params) : new URLSearchParams();
  if (params && !(params instanceof URLSearchParams))
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, v);
  const q = p.toString();
  return `#${path}${q ? `?${q}` : ''}`;
}

export function navigate(path: string, params?: Record<string, string | undefined> | URLSearchParams): void {
  location.hash = href(path, params);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
