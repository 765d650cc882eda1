/** The records whose writes the change feed reports (view/feed.ts); the database keeps them among its others (db/store.ts). */
export const CHANGED_RECORDS = [
  'twin',
  'farm',
  'node',
  'contract',
  'bill',
  'uptime',
  'nru',
  'pricing',
  'farming',
  'service',
  'provider',
  'entity',
] as const;
