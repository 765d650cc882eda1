/**
 * Query fuzz from the explorer's own OpenAPI document: for every route and every parameter it
 * documents, seeded random requests mixing valid values, the ends of each range, junk, huge,
 * repeated, unknown, unicode and percent-encoded ones (FUZZ_SEED=n reproduces a run; the seed is in
 * every failure). Each request's expected class is known from the schema: all valid → 200 with
 * the documented shape (404 for an id that does not exist); any invalid → a JSON 400 naming one of
 * the invalid parameters; never a 5xx. A second pass sends raw bytes over sockets (requests an HTTP
 * client would refuse to send). The process answers throughout and its memory stays under
 * MEMORY_GROWTH_BOUND (stated in the explorer README).
 */
import net from 'node:net';
import { gridApp, FIXTURE, type GridApp } from './grid-fixture';
import { shapeProblem, type OpenApiSchema } from './openapi-shape';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const REQUESTS = 2500;
const RAW_REQUESTS = 300;
const IN_FLIGHT = 4;
const HTTP_HEADER_LIMIT = 16 * 1024;
/**
 * The test process (API and clients) may grow its RSS by at most this over the whole fuzz. Growth,
 * not an absolute figure: Jest reuses a worker, which may already hold earlier suites' memory.
 */
const MEMORY_GROWTH_BOUND = 192 * 1024 * 1024;

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  schema: OpenApiSchema & { minimum?: number; maximum?: number; pattern?: string; maxLength?: number };
}
interface Operation {
  parameters?: Parameter[];
  responses: Record<string, { content?: Record<string, { schema: OpenApiSchema }> }>;
}
type OpenApi = { paths: Record<string, { get: Operation }> };

/** xorshift32: small, seeded, the same sequence on every machine. */
function random(seed: number): { int(n: number): number; pick<T>(a: readonly T[]): T; chance(p: number): boolean } {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  return { int: (n) => Math.floor(next() * n), pick: (a) => a[Math.floor(next() * a.length)]!, chance: (p) => next() < p };
}
const rnd = random(SEED);

/** valid: the schema accepts it; invalid: it refuses it; either: the outcome is not the point (malformed encodings). */
type Kind = 'valid' | 'invalid' | 'either';
interface Value {
  text: string;
  kind: Kind;
  /** Already written for the URL (a malformed encoding sent as is). */
  raw?: boolean;
}

const NOT_NUMBERS = [
  'Infinity',
  '-Infinity',
  '1e309',
  '1e3',
  '0x10',
  '0b1',
  'NaN',
  ' 12',
  '12 ',
  '+1',
  '',
  '1_0',
  '١٢',
  '12abc',
  '--1',
  '1'.repeat(25),
  'null',
  'undefined',
  '[]',
  '{}',
];
const UNICODE = [
  'é',
  'Zürich',
  '中文',
  'مرحبا',
  '😀',
  'a\u0000b',
  'ﬀ',
  '\u200b',
  'İ',
  'line\nbreak',
  'a&b=c',
  '#hash',
  '100%',
  '+plus+',
  '../..',
  '\'quote"',
  '<script>',
];
const MALFORMED = ['%', '%z', '%zz', '%E0%A4', '%C0%AF', '%FF', '%%31', '%2', '%u0041'];
const UNKNOWN_NAMES = [
  'colour',
  'Size',
  'sizes',
  'size ',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'ñ',
  'a[b]',
  'node_idz',
  'id',
];

const bigPlusOne = (n: number) => (BigInt(n) + 1n).toString();
const randomAscii = (n: number) => Array.from({ length: n }, () => String.fromCharCode(0x21 + rnd.int(94))).join('');

/** A value for a documented parameter, with its kind from the schema. */
function valueFor(p: Parameter): Value {
  const s = p.schema;
  if (rnd.chance(0.05)) return { text: rnd.pick(MALFORMED), kind: 'either', raw: true };
  if (s.type === 'integer' || s.type === 'number') {
    const min = s.minimum!;
    const max = s.maximum!;
    const roll = rnd.int(10);
    if (roll < 4) {
      const within =
        s.type === 'integer'
          ? String(min + rnd.int(Math.min(max - min, 1_000_000) + 1))
          : rnd.pick(['0', '1', '0.5', '0.25', '0.999', '1.0', '0.00001']);
      return { text: rnd.pick([String(min), String(max), within]), kind: 'valid' };
    }
    if (roll < 5) return { text: rnd.pick([bigPlusOne(max), String(min - 1)]), kind: 'invalid' };
    if (roll < 6 && s.type === 'integer') return { text: rnd.pick(['1.5', '1.0', '0.1', `${max}.5`]), kind: 'invalid' };
    return { text: rnd.pick(NOT_NUMBERS), kind: 'invalid' };
  }
  if (s.type === 'boolean') {
    if (rnd.chance(0.6)) return { text: rnd.pick(['true', 'false']), kind: 'valid' };
    if (rnd.chance(0.3)) return { text: rnd.pick(['1', '0', 'TRUE', 'False']), kind: 'either' };
    return { text: rnd.pick(['yes', 'no', '', 'maybe', 'truee', 'null', ...UNICODE]), kind: 'invalid' };
  }
  if (s.anyOf) {
    const allowed = s.anyOf.flatMap((a) => (a.enum ?? []) as string[]);
    if (rnd.chance(0.6)) return { text: rnd.pick(allowed), kind: 'valid' };
    const junk = rnd.pick(['', 'x', ...UNICODE, `${rnd.pick(allowed)}x`, rnd.pick(allowed).toUpperCase() + 'X', ` ${rnd.pick(allowed)}`]);
    return { text: junk, kind: allowed.includes(junk) ? 'valid' : 'invalid' };
  }
  // Strings: lists with a pattern, or free text bounded by maxLength.
  const maxLength = s.maxLength ?? Infinity;
  const fits = (t: string) => [...t].length <= maxLength && (s.pattern === undefined || new RegExp(s.pattern, 'u').test(t));
  let text: string;
  if (s.pattern !== undefined) {
    const tokens = [...new Set(s.pattern.match(/[A-Za-z]{2,}/g) ?? [])];
    const atoms = tokens.length > 0 ? tokens : ['1', '2', '42', String(FIXTURE.farms), '4294967295', '0'];
    const roll = rnd.int(10);
    if (roll < 6) text = Array.from({ length: 1 + rnd.int(3) }, () => rnd.pick(atoms)).join(',');
    else if (roll < 9) text = rnd.pick(['', ',', `${rnd.pick(atoms)},`, `,${rnd.pick(atoms)}`, `${rnd.pick(atoms)};x`, 'x', ...UNICODE]);
    else text = Array.from({ length: 600 }, () => rnd.pick(atoms)).join(',');
  } else {
    const roll = rnd.int(10);
    if (roll < 4) text = randomAscii(1 + rnd.int(20));
    else if (roll < 7) text = rnd.pick(UNICODE);
    else if (roll < 8) text = rnd.pick(['Belgium', 'Ghent', 'farm_1', 'Diy', 'relay.dev.grid.tf', '5Account1', 'name3', '185.0.1.2/24']);
    else if (roll < 9) text = 'y'.repeat(rnd.pick([maxLength === Infinity ? 100 : maxLength, maxLength + 1, 5000]));
    else text = '';
  }
  return { text, kind: fits(text) ? 'valid' : 'invalid' };
}

/** The value written into a URL: usually encodeURIComponent, sometimes every UTF-8 byte as %XX. */
function encode(v: Value): string {
  if (v.raw) return v.text;
  if (rnd.chance(0.2)) return [...Buffer.from(v.text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  return encodeURIComponent(v.text);
}

interface Case {
  path: string;
  url: string;
  headers: Record<string, string>;
  /** Names of the parameters given wrongly, and of those whose outcome is open. */
  invalid: string[];
  either: string[];
  /** A single-item route whose id may not exist (404 allowed). */
  mayBeMissing: boolean;
}

/** A path id; `max` is the id's documented maximum (u32 ids; contract ids go to 2^53 − 1). */
function pathId(max: number): Value {
  const roll = rnd.int(10);
  if (roll < 5) return { text: String(1 + rnd.int(FIXTURE.farms * FIXTURE.nodesPerFarm)), kind: 'valid' };
  if (roll < 6) return { text: rnd.pick(['0', '999999', '4294967295']), kind: 'valid' };
  if (roll < 7) return { text: rnd.pick(MALFORMED), kind: 'either', raw: true };
  const text = rnd.pick([...NOT_NUMBERS.filter((t) => t !== ''), '1.5', '-1', '4294967296', ...UNICODE]);
  return { text, kind: text === '4294967296' && max > 4294967295 ? 'valid' : 'invalid' };
}

function caseFor(path: string, op: Operation): Case {
  const params = op.parameters ?? [];
  const query = params.filter((p) => p.in === 'query');
  const invalid: string[] = [];
  const either: string[] = [];
  const note = (name: string, v: Value) =>
    void (v.kind === 'invalid' ? invalid.push(name) : v.kind === 'either' ? either.push(name) : undefined);
  let url = path;
  if (path.includes('{id}')) {
    const id = pathId(params.find((p) => p.in === 'path' && p.name === 'id')?.schema.maximum ?? 4294967295);
    note('id', id);
    // A path segment: '/' and '?' must stay encoded whatever the variant.
    url = path.replace('{id}', id.raw ? id.text : encode(id).replace(/\//g, '%2F').replace(/\?/g, '%3F'));
    if (id.kind === 'invalid' && id.text.includes('/')) either.push('id'); // may route elsewhere
  }
  const parts: string[] = [];
  const used = new Set<string>();
  const count = query.length === 0 ? rnd.int(2) : rnd.int(Math.min(5, query.length + 1));
  for (let i = 0; i < count; i++) {
    if (query.length === 0 || rnd.chance(0.08)) {
      const name = rnd.pick(UNKNOWN_NAMES);
      parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(randomAscii(3))}`);
      invalid.push(name);
      continue;
    }
    const p = rnd.pick(query);
    if (used.has(p.name)) continue; // given twice only on purpose, below
    used.add(p.name);
    const v = valueFor(p);
    note(p.name, v);
    parts.push(`${p.name}=${encode(v)}`);
    if (rnd.chance(0.05)) {
      parts.push(`${p.name}=${encode(v)}`); // repeated: refused even when each value is fine
      invalid.push(p.name);
    }
  }
  if (rnd.chance(0.03)) parts.push(rnd.pick(['', '&', '=', '==', '&&']));
  const headers: Record<string, string> = {};
  for (const h of params.filter((p) => p.in === 'header')) {
    if (!rnd.chance(0.3)) continue;
    const v = valueFor(h);
    const text = v.text.trim() === v.text && /^[\x20-\x7e]*$/.test(v.text) ? v.text : '7'; // what HTTP can carry as is
    headers[h.name] = text;
    note(h.name, text === v.text ? v : { text, kind: 'valid' });
  }
  if (parts.includes('=') || parts.includes('==')) invalid.push(''); // a pair with an empty name is an unknown parameter
  return { path, url: parts.length ? `${url}?${parts.join('&')}` : url, headers, invalid, either, mayBeMissing: path.includes('{id}') };
}

let grid: GridApp;
let doc: OpenApi;
let maxRss = 0;
let baseRss = 0;
const sampleMemory = () => (maxRss = Math.max(maxRss, process.memoryUsage().rss));
beforeAll(async () => {
  grid = await gridApp();
  doc = grid.app.swagger() as unknown as OpenApi;
  baseRss = process.memoryUsage().rss;
});
afterAll(() => grid.close());

/** The error names one of these parameters (a malformed path, which the router refuses before any route, is named as the path). */
const names = (error: string, list: string[]) => list.some((n) => error.includes(`'${n}'`) || (n === 'id' && error.includes('URL path')));

async function check(c: Case, tally: Map<number, number>): Promise<void> {
  const stream = c.path === '/events/stream';
  const ac = new AbortController();
  const res = await fetch(grid.url + c.url, { headers: c.headers, signal: ac.signal });
  const status = res.status;
  tally.set(status, (tally.get(status) ?? 0) + 1);
  const where = { seed: SEED, url: c.url, headers: c.headers, status };
  if (stream && status === 200) {
    // An open stream: its head is the answer; then the client leaves.
    expect({ ...where, type: res.headers.get('content-type'), invalid: c.invalid }).toEqual({
      ...where,
      type: 'text/event-stream',
      invalid: [],
    });
    ac.abort();
    return;
  }
  const text = await res.text();
  // Past Node's 16 KiB header limit the HTTP server refuses the request line itself.
  if (c.url.length > HTTP_HEADER_LIMIT) return expect({ ...where, status }).toEqual({ ...where, status: 431 });
  expect({ ...where, server_error: status >= 500 && !(c.path === '/health' && status === 503) }).toEqual({ ...where, server_error: false });
  if (c.path === '/metrics' && status === 200) {
    expect({ ...where, invalid: c.invalid }).toEqual({ ...where, invalid: [] });
    expect(text).toContain('explorer_stream_clients');
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`not JSON (seed ${SEED}): GET ${c.url} → ${status}: ${text.slice(0, 200)}`);
  }
  if (c.invalid.length > 0) {
    expect({ ...where, body }).toEqual({ ...where, status: 400, body: { error: expect.any(String) } });
    const error = (body as { error: string }).error;
    // The first wrong parameter found is named; an open one may come first.
    expect({ ...where, error, names: names(error, [...c.invalid, ...c.either]) }).toEqual({ ...where, error, names: true });
    return;
  }
  if (status === 400) {
    const error = (body as { error: string }).error;
    expect({ ...where, error, either: c.either, names: c.either.length > 0 && names(error, c.either) }).toEqual({
      ...where,
      error,
      either: c.either,
      names: true,
    });
    return;
  }
  const allowed = c.mayBeMissing ? [200, 404] : c.path === '/health' ? [200, 503] : [200];
  expect({ ...where, allowed: allowed.includes(status) }).toEqual({ ...where, allowed: true });
  const schema = doc.paths[c.path]!.get.responses[String(status)]?.content?.['application/json']?.schema;
  expect({ ...where, documented: schema !== undefined }).toEqual({ ...where, documented: true });
  expect({ ...where, shape: shapeProblem(schema!, body) }).toEqual({ ...where, shape: undefined });
}

test(`${REQUESTS} requests generated from the OpenAPI document: no 5xx, documented shapes, 400s naming the parameter (seed ${SEED})`, async () => {
  const paths = Object.keys(doc.paths);
  expect(paths.length).toBeGreaterThanOrEqual(19);
  const cases = Array.from({ length: REQUESTS }, (_, i) => {
    const path = paths[i % paths.length]!; // every route alike
    return caseFor(path, doc.paths[path]!.get);
  });
  const tally = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        await check(c, tally);
        if (next % 250 === 0) sampleMemory();
      }
    }),
  );
  sampleMemory();
  // Both classes were exercised on a good share of the requests.
  expect(tally.get(200) ?? 0).toBeGreaterThan(REQUESTS / 5);
  expect(tally.get(400) ?? 0).toBeGreaterThan(REQUESTS / 5);
  expect((await grid.get('/ping')).json()).toEqual({ ping: 'pong' });
  expect(maxRss - baseRss).toBeLessThan(MEMORY_GROWTH_BOUND);
});

/** One raw request; the status code of the answer (0 when the server closed without one). */
function rawRequest(bytes: Buffer): Promise<number> {
  const { port } = grid.app.server.address() as net.AddressInfo;
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      const head = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      if (m && head.includes('\r\n\r\n')) {
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(0));
    s.write(bytes);
  });
}

test(`${RAW_REQUESTS} raw requests over sockets (bytes no HTTP client sends): no 5xx, the server stays up (seed ${SEED})`, async () => {
  const paths = Object.keys(doc.paths).filter((p) => p !== '/events/stream');
  const targets = (): string => {
    const path = rnd.pick(paths).replace('{id}', rnd.pick(['1', '0x10', 'é', '%zz', ' 1', '1e309']));
    const junk = rnd.pick([
      `?size=${rnd.pick(UNICODE)}`,
      `?country=${'é'.repeat(rnd.int(3000))}`,
      `?${'a=1&'.repeat(rnd.int(2000))}`,
      `?farm_ids=${'1,'.repeat(rnd.int(4000))}1`,
      `?city=${rnd.pick(MALFORMED)}&page=${rnd.pick(NOT_NUMBERS)}`,
      '??size=1',
      '?size=1#frag',
      `?${'x'.repeat(20000)}=1`,
      '?\u0000=1',
      '?size=1;page=2',
      '',
    ]);
    return path + junk;
  };
  const statuses = new Map<number, number>();
  for (let i = 0; i < RAW_REQUESTS; i++) {
    const target = targets();
    const form = rnd.int(4);
    const line =
      form === 0
        ? `GET http://127.0.0.1${target} HTTP/1.1`
        : form === 1
          ? `GET ${target.replace(/ /g, '%20')} HTTP/1.1`
          : `GET ${target} HTTP/1.1`;
    const status = await rawRequest(
      Buffer.concat([Buffer.from(line, 'utf8'), Buffer.from('\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')]),
    );
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    expect({ seed: SEED, target, status, server_error: status >= 500 && !target.startsWith('/health') }).toEqual({
      seed: SEED,
      target,
      status,
      server_error: false,
    });
    if (i % 50 === 0) sampleMemory();
  }
  expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  expect((await grid.get('/ping')).json()).toEqual({ ping: 'pong' });
  expect(maxRss - baseRss).toBeLessThan(MEMORY_GROWTH_BOUND);
});
