/** Pagination and sorting shared by the list routes (grid proxy: page, size, ret_count; count/pages headers). */
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;

/** TFChain's ids of twins, farms, nodes, policies and block numbers are u32. */
export const MAX_U32 = 4_294_967_295;
export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Longest free-text parameter (names, addresses, keys, hashes). */
export const MAX_TEXT_LENGTH = 256;
/** Longest list parameter (`farm_ids=1,2,…`, `types=…`, `state=…`). */
export const MAX_LIST_LENGTH = 1024;

/** A u32 id (twin, farm, node, policy, block number). */
export const U32 = (description?: string) => Type.Integer({ minimum: 0, maximum: MAX_U32, ...(description ? { description } : {}) });
/** A count or an amount (bytes, cores, contract ids: u64 on chain), within what a JSON number holds exactly. */
export const Count = (description?: string) =>
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...(description ? { description } : {}) });
/** Free text, bounded. */
export const Text = (description?: string) => Type.String({ maxLength: MAX_TEXT_LENGTH, ...(description ? { description } : {}) });
/** The query of a route that takes no parameters: any given is refused, as on the list routes. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

export const Pagination = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_U32, default: 1, description: 'Page number, from 1' })),
  size: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, description: `Page size (at most ${MAX_PAGE_SIZE})` }),
  ),
  ret_count: Type.Optional(Type.Boolean({ description: 'Set the count and pages headers' })),
  sort_order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'asc (default) or desc' })),
  randomize: Type.Optional(Type.Boolean({ description: 'A random order instead of sort_by (grid-proxy)' })),
  balance: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: MAX_SAFE,
      description: "The asking twin's balance: node prices are discounted as its bills would be (grid-proxy)",
    }),
  ),
};

/** A comma-separated list of values from a fixed set (`up,standby`); its refusal lists the set. */
export const ValueList = (values: readonly string[], description: string) =>
  Type.String({
    pattern: `^(${values.join('|')})(,(${values.join('|')}))*$`,
    maxLength: MAX_LIST_LENGTH,
    description: `${description} (comma-separated)`,
  });
export const NODE_STATUSES = ['up', 'down', 'standby'] as const;

/** Fisher–Yates, in place. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export interface PageQuery {
  page?: number;
  size?: number;
  ret_count?: boolean;
  sort_order?: 'asc' | 'desc';
  randomize?: boolean;
}

/** The `:id` of a single-item route: a u32 (nodes) or a u64 kept exact (contracts). */
export const idParams = (id: TSchema) => Type.Object({ id }, { additionalProperties: false });
export const ErrorBody = Type.Object({ error: Type.String() });

export const sortEnum = (names: readonly string[]): TSchema =>
  Type.Union(
    names.map((n) => Type.Literal(n)),
    { description: `One of ${names.join(', ')}` },
  );

/** A comma-separated list of ids (`1,2,3`). */
export const IdList = Type.String({ pattern: '^[0-9]+(,[0-9]+)*$', maxLength: MAX_LIST_LENGTH, description: 'Comma-separated ids' });
export const idList = (s: string | undefined): number[] | undefined => (s === undefined ? undefined : s.split(',').map(Number));

type Key = number | string | boolean;
/** Sorts by `by` (ties by `tie`), then answers the requested page and sets count/pages when asked. */
export function page<T>(items: T[], q: PageQuery, reply: FastifyReply, by: (x: T) => Key, tie: (x: T) => number): T[] {
  const dir = q.sort_order === 'desc' ? -1 : 1;
  if (q.randomize) shuffle(items);
  else
    items.sort((a, b) => {
      const x = by(a);
      const y = by(b);
      const c = x < y ? -1 : x > y ? 1 : tie(a) - tie(b);
      return c * dir;
    });
  const size = q.size ?? DEFAULT_PAGE_SIZE;
  const p = q.page ?? 1;
  if (q.ret_count) {
    reply.header('count', String(items.length));
    reply.header('pages', String(Math.ceil(items.length / size)));
  }
  return items.slice((p - 1) * size, p * size);
}

/** The count and pages headers (when `ret_count` is set). */
export function countHeaders(reply: FastifyReply, count: number, size: number): void {
  reply.header('count', String(count));
  reply.header('pages', String(Math.ceil(count / size)));
}
