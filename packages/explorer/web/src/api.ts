/** The explorer's API, same origin. A refusal carries the API's own sentence (`{error}`). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export function queryString(q: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export interface Answer<T> {
  body: T;
  /** grid-proxy's `count` header (with ret_count=true), else null. */
  count: number | null;
}

export async function api<T>(path: string, q: Query = {}, signal?: AbortSignal): Promise<Answer<T>> {
  let r: Response;
  try {
    r = await fetch(path + queryString(q), { headers: { accept: 'application/json' }, signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(`the explorer did not answer (${(e as Error).message})`, 0);
  }
  const text = await r.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(`the explorer answered ${r.status} with something that is not JSON`, r.status);
  }
  if (!r.ok) {
    const msg = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : `HTTP ${r.status}`;
    throw new ApiError(msg, r.status);
  }
  const count = r.headers.get('count');
  return { body: body as T, count: count === null ? null : Number(count) };
}
