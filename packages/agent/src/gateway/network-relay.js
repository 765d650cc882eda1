// The gateway's relay into one private network, run inside the network's namespace
// (`ip netns exec <netns> node network-relay.js <config>`). It listens only on Unix sockets in the
// agent's run directory (filesystem objects, so the gateway in the node's namespace reaches them;
// mode 0600): a control socket, and one socket per target (an ipv4:port of the network) the agent
// opened over it. A connection to a target's socket is carried to that target as it is — no
// preamble, so any proxy (HAProxy's `unix@` servers too) can use it; a target that refuses or does
// not answer within the connect timeout gets the connection closed before any byte.
// Control: one line per connection, at most 64 bytes, within 5 s, one answer line, then closed:
//   OPEN <ipv4> <port>   → OK once listening on <targetPrefix><8 hex ip><4 hex port>.sock, or ERR <code>
//   CLOSE <ipv4> <port>  → OK (its socket is removed; connections through it run to their end)
//   PING                 → OK <targets> <connections>
// Only machine addresses inside the network's range are opened (never a node's .1, nor the node's
// own addresses given); at most `maxTargets` targets and `maxConnections` connections at once.
// Plain JavaScript so that it starts with plain node, without a TypeScript loader (a relay per
// network must stay small). The agent's side is relays.ts.
'use strict';
const fs = require('node:fs');
const net = require('node:net');

const MAX_LINE = 64;
const CONTROL_TIMEOUT_MS = 5000;
const MAX_CONTROL_CONNECTIONS = 16;

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
const maxTargets = Number(cfg.maxTargets) || 256;
const connectTimeoutMs = Number(cfg.connectTimeoutMs) || 3000;
if (typeof cfg.control !== 'string' || !cfg.control) fail('no control socket path');
if (typeof cfg.targetPrefix !== 'string' || !cfg.targetPrefix) fail('no target socket prefix');

/** Why `ip port` is not a target this relay opens, or undefined. */
function refusal(ip, port) {
  const n = ipv4(ip);
  if (n === undefined) return 'EBADTARGET';
  // .0, .1 (a node's own side of the network) and .255 of each /24 are no machine's.
  if ((n & mask) >>> 0 !== network || excluded.has(n) || n % 256 < 2 || n % 256 === 255) return 'EOUTOFRANGE';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return 'EBADTARGET';
  return undefined;
}

/** The target's socket path: its address and port in hex, so a name is unique and of fixed length. */
function targetPath(ip, port) {
  return `${cfg.targetPrefix}${ipv4(ip).toString(16).padStart(8, '0')}${Number(port).toString(16).padStart(4, '0')}.sock`;
}

let open = 0;
const clients = new Set();
/** `ip:port` → { server, path, ready: Promise<void> }. */
const targets = new Map();

function remove(file) {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

/** A connection to a target's socket, carried to the target once connected from inside the network. */
function carry(c, ip, port) {
  clients.add(c);
  c.once('close', () => clients.delete(c));
  c.on('error', () => c.destroy());
  if (open >= maxConnections) return void c.destroy();
  open++;
  let connected = false;
  const t = net.connect({ host: ip, port, noDelay: true, allowHalfOpen: true });
  const timer = setTimeout(() => t.destroy(), connectTimeoutMs);
  t.on('error', () => t.destroy());
  t.once('close', (hadError) => {
    clearTimeout(timer);
    open--;
    // A clean close lets what is still buffered towards the client go first (pipe ends it).
    if (hadError || !connected) c.destroy();
    else c.end();
  });
  c.once('close', () => t.destroy());
  t.once('connect', () => {
    clearTimeout(timer);
    connected = true;
    c.pipe(t);
    t.pipe(c);
    c.resume();
  });
}

function openTarget(ip, port) {
  const key = `${ip}:${port}`;
  const known = targets.get(key);
  if (known) return known.ready;
  if (targets.size >= maxTargets) return Promise.reject(Object.assign(new Error('too many targets'), { code: 'ETOOMANY' }));
  const path = targetPath(ip, port);
  remove(path);
  // Paused until the target is connected; half-closes pass through (a proxy may shut its side first).
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (c) => carry(c, ip, Number(port)));
  const ready = new Promise((resolve, reject) => {
    server.once('error', (e) => {
      targets.delete(key);
      reject(Object.assign(new Error(e.message), { code: 'ELISTEN' }));
    });
    server.listen(path, () => resolve());
  });
  targets.set(key, { server, path, ready });
  return ready;
}

function closeTarget(ip, port) {
  const key = `${ip}:${port}`;
  const t = targets.get(key);
  if (!t) return;
  targets.delete(key);
  t.server.close();
  remove(t.path);
}

/** One control command → its answer line (without the newline). */
async function command(line) {
  const [verb, ip, port, extra] = line.split(' ');
  if (verb === 'PING' && ip === undefined) return `OK ${targets.size} ${open}`;
  if ((verb !== 'OPEN' && verb !== 'CLOSE') || extra !== undefined) return 'ERR EBADCOMMAND';
  const why = refusal(ip || '', port || '');
  if (why) return `ERR ${why}`;
  if (verb === 'CLOSE') {
    closeTarget(ip, port);
    return 'OK';
  }
  try {
    await openTarget(ip, port);
    return 'OK';
  } catch (e) {
    return `ERR ${e.code === 'ETOOMANY' ? 'ETOOMANY' : 'ELISTEN'}`;
  }
}

function control(c) {
  c.on('error', () => c.destroy());
  let line = '';
  const timer = setTimeout(() => c.destroy(), CONTROL_TIMEOUT_MS);
  c.once('close', () => clearTimeout(timer));
  const onData = (d) => {
    line += d.toString('latin1');
    const eol = line.indexOf('\n');
    if (eol < 0) {
      if (line.length > MAX_LINE) c.destroy();
      return;
    }
    c.off('data', onData);
    if (eol > MAX_LINE) return void c.destroy();
    void command(line.slice(0, eol)).then((answer) => c.end(`${answer}\n`));
  };
  c.on('data', onData);
}

remove(cfg.control);
// Every socket is made 0600 from the start: no moment where another user could connect.
process.umask(0o177);
const server = net.createServer(control);
server.maxConnections = MAX_CONTROL_CONNECTIONS;
server.on('error', (e) => fail(`cannot listen on ${cfg.control}: ${e.message}`));
server.listen(cfg.control, () => process.stdout.write(`network relay ready on ${cfg.control} for ${cfg.range}\n`));

function stop() {
  server.close();
  remove(cfg.control);
  for (const key of [...targets.keys()]) {
    const [ip, port] = key.split(':');
    closeTarget(ip, port);
  }
  for (const c of clients) c.destroy();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
