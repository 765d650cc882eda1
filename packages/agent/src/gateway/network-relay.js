// The gateway's relay into one private network, run inside the network's namespace
// (`ip netns exec <netns> node network-relay.js <config>`). It listens on a Unix socket in the
// agent's run directory (a filesystem object, so the gateway in the node's namespace reaches it;
// mode 0600) and nowhere else. Per connection the gateway writes one line `<ipv4> <port>\n`; the
// relay answers `OK\n` once it is connected to that address from inside the network, or
// `ERR <code>\n` and closes — only machine addresses inside the network's range (never a node's
// .1, nor the node's own addresses given) are dialled, with a connect timeout, and at most `maxConnections` at once.
// Plain JavaScript so that it starts with plain node, without a TypeScript loader (a relay per
// network must stay small). The protocol's other side is relay-client.ts.
'use strict';
const fs = require('node:fs');
const net = require('node:net');

const MAX_LINE = 64;

/** `10.20.1.5` → its number; undefined unless four decimal octets without leading zeros. */
function ipv4(s) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    if (m[i].length > 1 && m[i][0] === '0') return undefined;
    const o = Number(m[i]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

function fail(msg) {
  process.stderr.write(`network relay: ${msg}\n`);
  process.exit(2);
}

let cfg;
try {
  cfg = JSON.parse(process.argv[2] || '');
} catch {
  fail('usage: network-relay.js <json config>');
}
const [rangeBase, rangeBits] = String(cfg.range).split('/');
const base = ipv4(rangeBase);
const prefix = Number(rangeBits);
if (base === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 32) fail(`range ${cfg.range} is not an IPv4 network /8../32`);
const mask = prefix === 32 ? 0xffffffff : (0xffffffff << (32 - prefix)) >>> 0;
const network = (base & mask) >>> 0;
const excluded = new Set((cfg.exclude || []).map(ipv4));
const maxConnections = Number(cfg.maxConnections) || 1024;
const connectTimeoutMs = Number(cfg.connectTimeoutMs) || 3000;
const requestTimeoutMs = Number(cfg.requestTimeoutMs) || 5000;
if (typeof cfg.socket !== 'string' || !cfg.socket) fail('no socket path');

/** Why `ip port` is not a target this relay dials, or undefined. */
function refusal(ip, port) {
  const n = ipv4(ip);
  if (n === undefined) return 'EBADTARGET';
  // .0, .1 (a node's own side of the network) and .255 of each /24 are no machine's.
  if (((n & mask) >>> 0) !== network || excluded.has(n) || n % 256 < 2 || n % 256 === 255) return 'EOUTOFRANGE';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return 'EBADTARGET';
  return undefined;
}

let open = 0;
const clients = new Set();

function handle(c) {
  clients.add(c);
  c.on('error', () => c.destroy());
  c.once('close', () => clients.delete(c));
  let line = '';
  const timer = setTimeout(() => c.destroy(), requestTimeoutMs);
  const onData = (d) => {
    line += d.toString('latin1');
    const eol = line.indexOf('\n');
    if (eol < 0) {
      if (line.length > MAX_LINE) c.destroy();
      return;
    }
    clearTimeout(timer);
    c.off('data', onData);
    c.pause();
    const rest = Buffer.from(line.slice(eol + 1), 'latin1');
    const [ip, port, extra] = line.slice(0, eol).split(' ');
    const why = extra !== undefined ? 'EBADTARGET' : refusal(ip || '', port || '');
    if (why) return void c.end(`ERR ${why}\n`);
    if (open >= maxConnections) return void c.end('ERR EBUSY\n');
    dial(c, ip, Number(port), rest);
  };
  c.on('data', onData);
}

function dial(c, ip, port, rest) {
  open++;
  let connected = false;
  const t = net.connect({ host: ip, port, noDelay: true });
  const timer = setTimeout(() => t.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })), connectTimeoutMs);
  t.once('close', () => {
    open--;
    c.destroy();
  });
  c.once('close', () => t.destroy());
  t.on('error', (e) => {
    clearTimeout(timer);
    if (!connected && !c.destroyed) c.end(`ERR ${/^[A-Z0-9_]{1,24}$/.test(e.code || '') ? e.code : 'ECONNECT'}\n`);
    t.destroy();
  });
  t.once('connect', () => {
    clearTimeout(timer);
    connected = true;
    c.write('OK\n');
    if (rest.length) t.write(rest);
    c.pipe(t);
    t.pipe(c);
    c.resume();
  });
}

try {
  fs.rmSync(cfg.socket, { force: true });
} catch (e) {
  fail(`cannot remove ${cfg.socket}: ${e.message}`);
}
// The socket is made 0600 from the start: no moment where another user could connect.
process.umask(0o177);
const server = net.createServer(handle);
// Connections still naming their target count too (a few beyond the dialled ones): the kernel's refusal past that.
server.maxConnections = maxConnections + 64;
server.on('error', (e) => fail(`cannot listen on ${cfg.socket}: ${e.message}`));
server.listen(cfg.socket, () => process.stdout.write(`network relay ready on ${cfg.socket} for ${cfg.range}\n`));

function stop() {
  server.close();
  for (const c of clients) c.destroy();
  try {
    fs.rmSync(cfg.socket, { force: true });
  } catch {
    // already gone
  }
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
