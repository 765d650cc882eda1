/**
 * Fuzz of the gateway's edge, bounded in count and time: request-smuggling forms (CL+TE, TE+CL,
 * doubled and listed Content-Length, Transfer-Encoding variants, obs-fold, bare LF and CR, NUL,
 * invalid header names), host forms, huge heads, pipelining, slow clients, and a few hundred
 * seeded random mutations of valid requests. The gateway runs in its own process (a crash is an
 * exit; its memory is its own) in front of a real backend that records every request it gets.
 * Asserted: the process lives and still serves; every answer is a well-formed HTTP/1.1 response
 * with an allowed status, or the connection closes; no smuggled request (path /smuggled, hidden
 * where a correct parser sees a body or refuses) ever reaches the backend, and every request that
 * does carries exactly one Host; the gateway's resident set stays under MAX_RSS_BYTES.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../../..');
const CHILD = path.join(__dirname, 'fixtures/gateway/fuzz-child.ts');
const H = 'app.gw.test';
const SEED = 0x6a7e3a11;
const RANDOM_CASES = 300;
const CONCURRENCY = 12;
/** Connections opened at once, each with a 15 KB head never finished. */
const BURST = 200;
/**
 * Every connection must be closed by the gateway (its timeouts are at most 2 s here); one still
 * open after this is closed by us and fails the case. Wide, for a loaded machine.
 */
const CONNECTION_LIMIT_MS = 15_000;
/**
 * The bound on the gateway process's resident set through the fuzz (tsx's loader included): it
 * starts near 110 MiB and peaked at 120–135 MiB in runs on a 2-core VM.
 */
const MAX_RSS_BYTES = 192 * 1024 * 1024;
/** …and how much of it the fuzz may add. */
const MAX_RSS_GROWTH_BYTES = 64 * 1024 * 1024;
const ALLOWED = new Set([100, 200, 400, 404, 405, 408, 413, 417, 431, 501, 502, 503, 505]);

const hex = (n: number): string => n.toString(16);

interface Seen {
  path: string;
  hostLines: number;
  forwardedFor: string | undefined;
}
const seen: Seen[] = [];
let backend: http.Server;
let gateway: ChildProcess;
let port: number;
let startRss = 0;
const stderr: string[] = [];

// ---- the client side: one connection per case, its bytes parsed as responses ----

interface Outcome {
  data: Buffer;
  closedByServer: boolean;
}

/** Writes `parts` (waiting `gapMs` between them), reads until the gateway closes or the limit passes. */
function exchange(parts: (string | Buffer)[], gapMs = 0): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByServer = false;
    let timers: NodeJS.Timeout[] = [];
    const limit = setTimeout(() => s.destroy(), CONNECTION_LIMIT_MS);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => (closedByServer = true));
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') closedByServer = true;
    });
    s.on('close', () => {
      clearTimeout(limit);
      for (const t of timers) clearTimeout(t);
      timers = [];
      resolve({ data: Buffer.concat(chunks), closedByServer });
    });
    parts.forEach((p, i) => {
      const write = (): void => {
        if (!s.destroyed) s.write(p);
      };
      if (i === 0 || gapMs === 0) write();
      else timers.push(setTimeout(write, i * gapMs));
    });
  });
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The responses in `b`, or what is wrong with them. A 101 ends parsing (the rest is a tunnel). */
function parseResponses(b: Buffer): { statuses: number[]; problem?: string } {
  const statuses: number[] = [];
  let off = 0;
  const fail = (why: string): { statuses: number[]; problem: string } => ({ statuses, problem: `${why} at ${off}: ${JSON.stringify(b.subarray(off, off + 120).toString('latin1'))}` });
  while (off < b.length) {
    const end = b.indexOf('\r\n\r\n', off);
    if (end < 0) return fail('incomplete response head');
    const lines = b.subarray(off, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.1 ([1-5]\d\d) [\t\x20-\x7e]*$/.exec(lines[0]!);
    if (!m) return fail('bad status line');
    const status = Number(m[1]);
    let length: number | undefined;
    let chunked = false;
    for (const line of lines.slice(1)) {
      const c = line.indexOf(':');
      if (c <= 0 || !TOKEN.test(line.slice(0, c)) || /[\0\r\n]/.test(line)) return fail(`bad header line ${JSON.stringify(line)}`);
      const name = line.slice(0, c).toLowerCase();
      const value = line.slice(c + 1).trim();
      if (name === 'content-length') {
        if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value))) return fail('bad content-length');
        length = Number(value);
      }
      if (name === 'transfer-encoding') chunked = /(^|,)\s*chunked\s*$/i.test(value);
    }
    statuses.push(status);
    off = end + 4;
    if (status === 101) return { statuses };
    if (status < 200 || status === 204 || status === 304) continue;
    if (chunked) {
      for (;;) {
        const eol = b.indexOf('\r\n', off);
        if (eol < 0) return fail('incomplete chunk size');
        const size = parseInt(b.subarray(off, eol).toString('latin1'), 16);
        if (!Number.isFinite(size)) return fail('bad chunk size');
        off = eol + 2;
        if (size === 0) {
          const t = b.indexOf('\r\n\r\n', off - 2);
          if (t < 0) return fail('incomplete trailers');
          off = t + 4;
          break;
        }
        if (off + size + 2 > b.length) return fail('cut chunk');
        off += size + 2;
      }
    } else if (length !== undefined) {
      if (off + length > b.length) return fail('cut body');
      off += length;
    } else off = b.length; // ended by the close
  }
  return { statuses };
}

// ---- the cases ----

interface Case {
  name: string;
  parts: (string | Buffer)[];
  gapMs?: number;
  /** Statuses this case must get, in order (when its answer is certain). */
  expect?: number[];
}

const req = (id: string, headers: string[] = [], body = '', method = 'GET'): string => `${method} /c/${id} HTTP/1.1\r\nHost: ${H}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${body}`;

/** Transfer-Encoding values: those a correct parser reads as chunked, and those it must refuse. */
const TE_CHUNKED = ['chunked', 'CHUNKED', 'Chunked', 'gzip, chunked', 'chunked\t'];
const TE_INVALID = ['chunked, identity', 'identity, chunked, gzip', 'xchunked', 'chunkedx', '"chunked"', 'chunked;q=1', 'chunk', '\x0bchunked', 'chunked\x00', ''];

function smugglingCases(): Case[] {
  const cases: Case[] = [];
  // Each case hides its own /smuggled/<case>, so a failure names the case.
  const smuggled = (name: string): string => `GET /smuggled/${encodeURIComponent(name)} HTTP/1.1\r\nHost: ${H}\r\n\r\n`;
  const inChunk = (S: string): string => `${hex(S.length)}\r\n${S}\r\n0\r\n\r\n`;
  const afterEnd = (S: string): string => `0\r\n\r\n${S}`;
  const post = (name: string, build: (S: string) => [string[], string]): void => {
    const [headers, body] = build(smuggled(name));
    cases.push({ name, parts: [req(name, headers, body, 'POST')] });
  };
  const push = (name: string, build: (S: string) => Omit<Case, 'name'>): void => void cases.push({ name, ...build(smuggled(name)) });
  post('cl-te', (S) => [[`Content-Length: ${afterEnd(S).length}`, 'Transfer-Encoding: chunked'], afterEnd(S)]);
  post('te-cl', (S) => [['Transfer-Encoding: chunked', 'Content-Length: 4'], inChunk(S)]);
  post('cl-te-short', (S) => [['Content-Length: 5', 'Transfer-Encoding: chunked'], afterEnd(S)]);
  post('double-cl', (S) => [['Content-Length: 0', `Content-Length: ${S.length}`], S]);
  post('double-cl-reversed', (S) => [[`Content-Length: ${S.length}`, 'Content-Length: 0'], S]);
  post('cl-list', (S) => [[`Content-Length: 0, ${S.length}`], S]);
  post('cl-list-same', (S) => [[`Content-Length: ${S.length}, ${S.length}`], S]);
  // Content-Length values to refuse; and valid spellings of the body's true length (leading zeros, whitespace).
  for (const v of ['+0', '-0', '0x0', '0 0', '0.0', '1e1', '٠', '0\x00', '0,', ',0']) post(`cl-${JSON.stringify(v)}`, (S) => [[`Content-Length: ${v}`], S]);
  for (const v of ['0LEN', ' LEN', 'LEN\t', '000LEN']) post(`cl-${JSON.stringify(v)}`, (S) => [[`Content-Length: ${v.replace('LEN', String(S.length))}`], S]);
  post('cl-space-before-colon', (S) => [['Content-Length : 0', `Content-Length: ${S.length}`], S]);
  post('cl-obs-fold', (S) => [['X-Pad: a', ` Content-Length: 0`, `Content-Length: ${S.length}`], S]);
  post('cl-obs-fold-tab', (S) => [[`Content-Length: ${S.length}`, '\tContent-Length: 0'], S]);
  for (const v of TE_CHUNKED) {
    post(`te-${JSON.stringify(v)}-in-chunk`, (S) => [[`Transfer-Encoding: ${v}`], inChunk(S)]);
    post(`te-${JSON.stringify(v)}-cl-in-chunk`, (S) => [[`Transfer-Encoding: ${v}`, `Content-Length: ${afterEnd(S).length}`], inChunk(S)]);
  }
  for (const v of TE_INVALID) {
    post(`te-${JSON.stringify(v)}-after-end`, (S) => [[`Transfer-Encoding: ${v}`], afterEnd(S)]);
    post(`te-${JSON.stringify(v)}-cl`, (S) => [[`Transfer-Encoding: ${v}`, `Content-Length: ${afterEnd(S).length}`], afterEnd(S)]);
  }
  post('te-twice', (S) => [['Transfer-Encoding: chunked', 'Transfer-Encoding: identity'], afterEnd(S)]);
  post('te-space-before-colon', (S) => [['Transfer-Encoding : chunked', 'Content-Length: 4'], inChunk(S)]);
  post('te-obs-fold', (S) => [['Transfer-Encoding: identity', ' chunked'], afterEnd(S)]);
  post('te-folded-name', (S) => [['Transfer-Encoding:', ' chunked'], afterEnd(S)]);
  post('te-underscore', (S) => [['Transfer_Encoding: chunked', `Content-Length: ${inChunk(S).length}`], inChunk(S)]);
  // Line endings: a lone LF or CR must end a line or be refused, never hide a header inside a value.
  post('bare-lf-hides-cl', (S) => [[`X-Pad: a\nContent-Length: ${S.length}`], S]);
  post('bare-cr-hides-cl', (S) => [[`X-Pad: a\rContent-Length: ${S.length}`], S]);
  post('bare-lf-hides-te', (S) => [[`X-Pad: a\nTransfer-Encoding: chunked`], afterEnd(S)]);
  cases.push({ name: 'bare-lf-request', parts: [`GET /c/lf HTTP/1.1\nHost: ${H}\n\n`] });
  push('bare-lf-end-of-head', (S) => ({ parts: [`POST /c/lf2 HTTP/1.1\r\nHost: ${H}\r\nContent-Length: ${S.length}\n\n${S}`] }));
  // Chunk framing tricks: sizes a lenient parser reads differently.
  for (const size of ['0x2a', '+2a', '2a ', ' 2a', '2a;ext=1', '2a;', '02a', 'ffffffffffffffffff', '-1', '2A\n', 'LEN\x00']) {
    post(`chunk-size-${JSON.stringify(size)}`, (S) => [['Transfer-Encoding: chunked'], `${size.replace('LEN', hex(S.length))}\r\n${S}\r\n0\r\n\r\n`]);
  }
  post('chunk-lf-only', (S) => [['Transfer-Encoding: chunked'], `${hex(S.length)}\n${S}\n0\n\n`]);
  post('chunk-data-longer', (S) => [['Transfer-Encoding: chunked'], `1\r\nab\r\n0\r\n\r\n${S}`]);
  post('chunk-trailer-cl', (S) => [['Transfer-Encoding: chunked'], `0\r\nContent-Length: ${S.length}\r\n\r\n${S}`]);
  // NUL and invalid header names.
  for (const h of ['X-A: a\x00b', 'X\x00A: b', 'X A: b', 'X(: b', ':authority: x', '\x7f: x', 'Host\x00: x', 'X-\xff: y', '"X": y', 'X-A', ': empty-name']) {
    post(`header-${JSON.stringify(h)}`, (S) => [[h, `Content-Length: ${S.length}`], S]);
  }
  cases.push({ name: 'nul-in-target', parts: [`GET /c/nul\x00 HTTP/1.1\r\nHost: ${H}\r\n\r\n`] });
  cases.push({ name: 'space-in-target', parts: [`GET /c/a b HTTP/1.1\r\nHost: ${H}\r\n\r\n`] });
  cases.push({ name: 'leading-space-header', parts: [`GET /c/ls HTTP/1.1\r\n Host: evil\r\nHost: ${H}\r\n\r\n`] });
  // Versions and oddities.
  for (const line of ['GET /c/v HTTP/1.0', 'GET /c/v HTTP/1.2', 'GET /c/v HTTP/2.0', 'GET /c/v HTTP/0.9', 'GET /c/v', 'GET /c/v http/1.1', 'GET  /c/v HTTP/1.1', 'get /c/v HTTP/1.1', 'FOO /c/v HTTP/1.1', `${'G'.repeat(5000)} /c/v HTTP/1.1`, 'CONNECT app.gw.test:80 HTTP/1.1', 'OPTIONS * HTTP/1.1', `GET http://${H}/c/v HTTP/1.1`, `GET //${H}/c/v HTTP/1.1`]) {
    cases.push({ name: `line-${line.slice(0, 40)}`, parts: [`${line}\r\nHost: ${H}\r\n\r\n`] });
  }
  cases.push({ name: 'h2-preface', parts: ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'] });
  cases.push({ name: 'expect-unknown', parts: [req('exp', ['Expect: nonsense', 'Content-Length: 0'], '', 'POST')] });
  push('expect-continue', (S) => ({ parts: [req('exp2', ['Expect: 100-continue', `Content-Length: ${S.length}`], '', 'POST'), S], gapMs: 50 }));
  push('upgrade-h2c-smuggle', (S) => ({ parts: [req('h2c', ['Connection: Upgrade, HTTP2-Settings', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAAQAAP__']) + S] }));
  push('upgrade-websocket-then-request', (S) => ({ parts: [req('ws', ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13']) + S] }));
  return cases;
}

const HOST_FORMS = [H, 'APP.GW.TEST', `${H}.`, `${H}:80`, `${H}:99999`, `${H}:`, `${H}..`, `x.${H}`, 'gw.test', '.gw.test', 'app%2egw.test', `${H}#`, `${H}?x`, `${H}/`, '\xe4pp.gw.test', 'a'.repeat(300), `${H}, ${H}`, '[::1]', '[::ffff:127.0.0.1]', '127.0.0.1', '', ' ', `${H}\t`, `\t${H}`, `${H} x`, 'user@app.gw.test', `${H}:80:80`, '[app.gw.test]', `${H}\\`];

function hostCases(): Case[] {
  return HOST_FORMS.map((h, i) => ({ name: `host-${JSON.stringify(h).slice(0, 40)}`, parts: [`GET /c/h${i} HTTP/1.1\r\nHost: ${h}\r\nConnection: close\r\n\r\n`] }));
}

function largeCases(): Case[] {
  const many = Array.from({ length: 150 }, (_, i) => `X${i}:a`);
  return [
    { name: 'header-20k', parts: [req('big', [`X-Big: ${'a'.repeat(20_000)}`, 'Connection: close'])], expect: [431] },
    { name: 'target-20k', parts: [`GET /c/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: ${H}\r\n\r\n`], expect: [431] },
    { name: '150-headers-then-host', parts: [req('many', [...many, 'Host: evil.example', 'Connection: close'])], expect: [431] },
    { name: '100-headers', parts: [req('hundred', [...many.slice(0, 98), 'Connection: close'])], expect: [200] },
    { name: 'body-over-limit', parts: [req('huge', ['Content-Length: 2000000'], 'x'.repeat(1000), 'POST')], expect: [413] },
    { name: 'head-in-1-byte-writes', parts: [...req('bytes', ['Connection: close'])], gapMs: 2, expect: [200] },
  ];
}

function pipelineCases(): Case[] {
  const out: Case[] = [];
  for (const n of [2, 5, 20]) {
    let text = '';
    for (let k = 0; k < n; k++) text += req(`p${n}-${k}`, k === n - 1 ? ['Connection: close'] : []);
    out.push({ name: `pipeline-${n}`, parts: [text], expect: Array<number>(n).fill(200) });
  }
  const mixed = req('m0', ['Content-Length: 5'], 'hello', 'POST') + req('m1', ['Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n', 'POST') + req('m2', ['Connection: close']);
  out.push({ name: 'pipeline-bodies', parts: [mixed], expect: [200, 200, 200] });
  out.push({ name: 'pipeline-then-garbage', parts: [req('g0') + req('g1') + 'GARBAGE\x00\r\n\r\n'] });
  // Garbage arriving while a response is half sent: the answer to it must not land inside that body.
  out.push({ name: 'garbage-during-response', parts: [req('slowresp'), 'GARBAGE\x00\r\n\r\n'], gapMs: 150 });
  out.push({ name: 'bad-chunk-mid-body', parts: [req('badchunk', ['Transfer-Encoding: chunked'], '5\r\nhello\r\n', 'POST'), 'ZZZ\r\n\r\n'], gapMs: 150 });
  const S = `GET /smuggled/pipelined HTTP/1.1\r\nHost: ${H}\r\n\r\n`;
  out.push({ name: 'pipeline-then-smuggle', parts: [req('s0') + req('s1', ['Content-Length: 0', `Content-Length: ${S.length}`], S, 'POST')] });
  return out;
}

/** Slow clients, bounded: heads and bodies trickled until the gateway cuts them. */
function slowCases(): Case[] {
  const out: Case[] = [];
  const trickle = Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: a\r\n`);
  for (let i = 0; i < 16; i++) out.push({ name: `slowloris-${i}`, parts: [`GET /c/slow${i} HTTP/1.1\r\nHost: ${H}\r\n`, ...trickle], gapMs: 150 });
  const body = Array.from({ length: 40 }, () => 'xxxxx');
  for (let i = 0; i < 4; i++) out.push({ name: `slow-body-${i}`, parts: [req(`slowbody${i}`, ['Content-Length: 1000'], '', 'POST'), ...body], gapMs: 150 });
  out.push({ name: 'idle-after-connect', parts: [''] });
  return out;
}

/** A seeded PRNG (mulberry32): the same mutations every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = ['\x00', '\r', '\n', '\r\n', '\t', ' ', ':', ',', ';', '\x7f', '\xff', '\x80', '"', '\\', '0', '-', 'chunked', 'Content-Length: 3\r\n', 'Transfer-Encoding: chunked\r\n', `Host: ${H}\r\n`, '\r\n\r\n'];

function randomCases(): Case[] {
  const rnd = prng(SEED);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const templates = [req('r', ['Connection: close']), req('r', ['Content-Length: 5', 'Connection: close'], 'hello', 'POST'), req('r', ['Transfer-Encoding: chunked', 'Connection: close'], '5\r\nhello\r\n0\r\n\r\n', 'POST'), req('r') + req('r2', ['Connection: close'])];
  const out: Case[] = [];
  for (let n = 0; n < RANDOM_CASES; n++) {
    let t = pick(templates).replace('/c/r', `/c/r${n}`);
    const edits = 1 + Math.floor(rnd() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rnd() * t.length);
      const kind = rnd();
      if (kind < 0.4) t = t.slice(0, at) + pick(INTERESTING) + t.slice(at);
      else if (kind < 0.6) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rnd() * 3));
      else if (kind < 0.75) t = t.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + t.slice(at + 1);
      else if (kind < 0.9) {
        // duplicate one header line
        const lines = t.split('\r\n');
        const i = 1 + Math.floor(rnd() * Math.max(1, lines.length - 3));
        lines.splice(i, 0, lines[i] ?? '');
        t = lines.join('\r\n');
      } else t = t.slice(0, at) + t.slice(at, at + 1).toUpperCase() + t.slice(at + 1);
    }
    out.push({ name: `random-${n}`, parts: [Buffer.from(t, 'latin1')] });
  }
  return out;
}

// ---- the processes ----

beforeAll(async () => {
  backend = http.createServer((q, s) => {
    let hostLines = 0;
    for (let i = 0; i < q.rawHeaders.length; i += 2) if (q.rawHeaders[i]!.toLowerCase() === 'host') hostLines++;
    seen.push({ path: q.url ?? '', hostLines, forwardedFor: q.headers['x-forwarded-for'] as string | undefined });
    q.resume();
    if (q.url === '/c/slowresp') {
      // half the body now, the rest a little later
      s.writeHead(200, { 'content-length': 10 });
      s.write('01234');
      setTimeout(() => s.end('56789'), 400).unref();
      return;
    }
    q.on('end', () => s.end('ok'));
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  gateway = spawn(process.execPath, ['--import', 'tsx', CHILD, url], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  gateway.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    gateway.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    gateway.once('exit', (code) => reject(new Error(`gateway child exited ${code}: ${stderr.join('')}`)));
  });
  startRss = (await memory()).rss;
});

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const gone = new Promise((r) => gateway.once('exit', r));
    gateway.disconnect();
    const kill = setTimeout(() => gateway.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(kill);
  }
  await new Promise<void>((r) => {
    backend?.close(() => r());
    backend?.closeAllConnections();
  });
});

function memory(): Promise<{ rss: number; peakRss: number; heapUsed: number }> {
  return new Promise((resolve) => {
    gateway.once('message', (m) => resolve(m as { rss: number; peakRss: number; heapUsed: number }));
    gateway.send('memory');
  });
}

/** Runs `cases` CONCURRENCY at a time; answers what each got. */
async function run(cases: Case[]): Promise<{ c: Case; o: Outcome }[]> {
  const results: { c: Case; o: Outcome }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        results.push({ c, o: await exchange(c.parts, c.gapMs) });
      }
    }),
  );
  return results;
}

function check(results: { c: Case; o: Outcome }[]): Map<number, number> {
  const statuses = new Map<number, number>();
  for (const { c, o } of results) {
    const r = parseResponses(o.data);
    expect({ case: c.name, problem: r.problem }).toEqual({ case: c.name, problem: undefined });
    for (const s of r.statuses) {
      expect({ case: c.name, status: s, allowed: ALLOWED.has(s) }).toEqual({ case: c.name, status: s, allowed: true });
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    if (c.expect) expect({ case: c.name, statuses: r.statuses }).toEqual({ case: c.name, statuses: c.expect });
    expect({ case: c.name, closedByServer: o.closedByServer }).toEqual({ case: c.name, closedByServer: true });
  }
  return statuses;
}

function backendSawNothingSmuggled(): void {
  for (const s of seen) {
    expect(s.path).not.toContain('smuggled');
    expect({ path: s.path, hostLines: s.hostLines, fromGateway: s.forwardedFor === '127.0.0.1' }).toEqual({ path: s.path, hostLines: 1, fromGateway: true });
  }
}

test('smuggling forms, host forms, huge heads and pipelining: well-formed answers, nothing smuggled', async () => {
  const cases = [...smugglingCases(), ...hostCases(), ...largeCases(), ...pipelineCases()];
  const statuses = check(await run(cases));
  backendSawNothingSmuggled();
  // the cases did reach the gateway's parser and routing, not just its door
  expect(statuses.get(200)).toBeGreaterThan(10);
  expect(statuses.get(400)).toBeGreaterThan(20);
  expect(gateway.exitCode).toBeNull();
});

test(`slow clients (trickled heads and bodies, ${BURST} big unfinished heads at once) are cut with 408 or a close`, async () => {
  const results = await run(slowCases());
  check(results);
  for (const { c, o } of results) {
    const r = parseResponses(o.data);
    expect({ case: c.name, statuses: r.statuses.filter((s) => s !== 408) }).toEqual({ case: c.name, statuses: [] });
  }
  // A burst of connections each holding a nearly full, never finished head.
  const burst = await Promise.all(Array.from({ length: BURST }, (_, i) => exchange([`GET /c/slow${i} HTTP/1.1\r\nHost: ${H}\r\nX-Big: ${'a'.repeat(15_000)}`])));
  for (const o of burst) {
    expect(o.closedByServer).toBe(true);
    expect(parseResponses(o.data)).toEqual({ statuses: [408] });
  }
  backendSawNothingSmuggled();
  // a head never completed never reaches a backend
  expect(seen.filter((s) => /^\/c\/slow\d/.test(s.path))).toEqual([]);
});

test(`${RANDOM_CASES} seeded random mutations: well-formed answers, nothing smuggled; the gateway lives, serves, stays under its memory bound`, async () => {
  const statuses = check(await run(randomCases()));
  backendSawNothingSmuggled();
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(RANDOM_CASES / 2);
  expect(gateway.exitCode).toBeNull();
  const after = await exchange([req('alive', ['Connection: close'])]);
  expect(parseResponses(after.data).statuses).toEqual([200]);
  const m = await memory();
  // eslint-disable-next-line no-console
  console.log(`gateway under fuzz: RSS at start ${(startRss / 2 ** 20).toFixed(1)} MiB, peak ${(m.peakRss / 2 ** 20).toFixed(1)} MiB, now ${(m.rss / 2 ** 20).toFixed(1)} MiB, heap used ${(m.heapUsed / 2 ** 20).toFixed(1)} MiB; answers ${JSON.stringify(Object.fromEntries(statuses))}`);
  expect(m.peakRss).toBeLessThan(MAX_RSS_BYTES);
  expect(m.peakRss - startRss).toBeLessThan(MAX_RSS_GROWTH_BYTES);
});
