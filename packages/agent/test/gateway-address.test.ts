/**
 * The backend address normaliser: every spelling of an address parsed to the address itself
 * (IPv4 in inet_aton's forms, IPv6 with embedded IPv4 unwrapped), and what each is classified as.
 */
import os from 'node:os';
import { localReason, ownAddresses, refuseAnswers } from '../src/gateway';
import { addressOf, addressText, classify, parseIPv4, parseIPv6 } from '../src/core';

const text = (host: string): string | undefined => {
  const b = addressOf(host);
  return b && addressText(b);
};

test.each([
  ['127.0.0.1', '127.0.0.1'],
  ['127.1', '127.0.0.1'],
  ['127.0.1', '127.0.0.1'],
  ['2130706433', '127.0.0.1'],
  ['0177.0.0.1', '127.0.0.1'],
  ['0177.1', '127.0.0.1'],
  ['0x7f.1', '127.0.0.1'],
  ['0X7F.0.0.1', '127.0.0.1'],
  ['0x7f000001', '127.0.0.1'],
  ['017700000001', '127.0.0.1'],
  ['127.0.0.1.', '127.0.0.1'],
  ['127.0.0.1..', '127.0.0.1'],
  ['0', '0.0.0.0'],
  ['0x', '0.0.0.0'],
  ['0.0.0.0', '0.0.0.0'],
  ['169.254.169.254', '169.254.169.254'],
  ['2852039166', '169.254.169.254'],
  ['8.8.8.8', '8.8.8.8'],
])('IPv4 %s is %s', (host, want) => {
  expect(text(host)).toBe(want);
});

test.each([
  // IPv4-mapped, dotted and hex, full and short
  ['::ffff:127.0.0.1', '127.0.0.1'],
  ['[::ffff:127.0.0.1]', '127.0.0.1'],
  ['::ffff:7f00:1', '127.0.0.1'],
  ['0:0:0:0:0:ffff:7f00:1', '127.0.0.1'],
  ['::FFFF:7F00:0001', '127.0.0.1'],
  ['::ffff:0.0.0.0', '0.0.0.0'],
  ['::ffff:0:0', '0.0.0.0'],
  ['::ffff:169.254.169.254', '169.254.169.254'],
  ['::ffff:a9fe:a9fe', '169.254.169.254'],
  // IPv4-compatible, NAT64 (well-known and local-use prefixes), 6to4
  ['::127.0.0.1', '127.0.0.1'],
  ['::7f00:1', '127.0.0.1'],
  ['64:ff9b::127.0.0.1', '127.0.0.1'],
  ['64:ff9b::7f00:1', '127.0.0.1'],
  ['64:ff9b:1::7f00:1', '127.0.0.1'],
  ['2002:7f00:1::', '127.0.0.1'],
  ['::ffff:0:127.0.0.1', '127.0.0.1'],
  // IPv6 proper (:: and ::1 are not IPv4-compatible forms)
  ['::1', '0:0:0:0:0:0:0:1'],
  ['0:0:0:0:0:0:0:1', '0:0:0:0:0:0:0:1'],
  ['::', '0:0:0:0:0:0:0:0'],
  ['[::]', '0:0:0:0:0:0:0:0'],
  ['fe80::1%eth0', 'fe80:0:0:0:0:0:0:1'],
  ['2001:db8::8:800:200c:417a', '2001:db8:0:0:8:800:200c:417a'],
])('IPv6 %s is %s', (host, want) => {
  expect(text(host)).toBe(want);
});

test.each([
  'example.com',
  'localhost',
  '1.2.3.4.5',
  '256.0.0.1',
  '1.256.0.1',
  '4294967296',
  '0x100000000',
  '08.0.0.1',
  '1e3',
  '',
  '.',
  '1..2',
  '1.2.3.04x',
  'a.1',
])('%j is not an IPv4 address', (host) => {
  expect(parseIPv4(host)).toBeUndefined();
});

test.each([
  ':::',
  '1:2:3:4:5:6:7:8:9',
  '1::2::3',
  '12345::',
  'g::1',
  '::ffff:127.1',
  '::ffff:1.2.3.256',
  '1.2.3.4::',
  '1:2:3:4:5:6:7',
  '[::1',
  '::1]',
  ':1::',
  '1:2:3:4:5:6:7:8::',
])('%j is not an IPv6 address', (host) => {
  expect(parseIPv6(host)).toBeUndefined();
});

test('inputs longer than a host name are not parsed', () => {
  expect(parseIPv4('1'.repeat(300))).toBeUndefined();
  expect(parseIPv6(`${'0:'.repeat(200)}1`)).toBeUndefined();
  expect(parseIPv4(`${'0.'.repeat(200)}1`)).toBeUndefined();
});

test.each([
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['0x7f.1', 'loopback'],
  ['2130706433', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::127.0.0.1', 'loopback'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['::1', 'loopback'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  ['::ffff:0:0', 'unspecified'],
  ['169.254.169.254', 'link-local'],
  ['::ffff:169.254.0.1', 'link-local'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local'],
  ['localhost', 'localhost name'],
  ['LOCALHOST.', 'localhost name'],
  ['shop.localhost', 'localhost name'],
  ['127.0.0.1.', 'loopback'],
])('%s leads to the node itself: %s', (host, why) => {
  expect(localReason(host)).toBe(why);
});

test.each([
  '8.8.8.8',
  '10.20.0.5',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  'fec0::1',
  'fd00:1234::5',
  '2001:db8::1',
  '169.255.0.1',
  '128.0.0.1',
  'example.com',
  'localhost.example.com',
  'mylocalhost',
])('%s is not refused as local', (host) => {
  const b = addressOf(host);
  if (b) expect(classify(b)).toBeUndefined();
  // (one of them could be this machine's own address: that is the next test's case)
  if (!b || !ownAddresses().has(addressText(b))) expect(localReason(host)).toBeUndefined();
});

test("every address of this machine's interfaces is refused, in every spelling", () => {
  const all = Object.values(os.networkInterfaces()).flatMap((l) => l ?? []);
  expect(all.length).toBeGreaterThan(0);
  for (const i of all) {
    expect(localReason(i.address)).toBeDefined();
    if (i.family === 'IPv4') {
      expect(localReason(`::ffff:${i.address}`)).toBeDefined();
      const [a, b, c, d] = i.address.split('.').map(Number) as [number, number, number, number];
      expect(localReason(String(((a * 256 + b) * 256 + c) * 256 + d))).toBeDefined();
    }
    if (!i.internal && classify(addressOf(i.address)!) === undefined) expect(localReason(i.address)).toBe('own address');
  }
});

test('a DNS answer set is refused when any answer leads to the node itself', () => {
  expect(refuseAnswers('shop.example', [{ address: '8.8.8.8', family: 4 }])).toBeUndefined();
  const e = refuseAnswers('shop.example', [
    { address: '8.8.8.8', family: 4 },
    { address: '::ffff:7f00:1', family: 6 },
  ]);
  expect(e?.code).toBe('EBACKENDLOCAL');
  expect(e?.message).toMatch(/shop\.example resolves to ::ffff:7f00:1 \(loopback\)/);
  expect(refuseAnswers('x', [{ address: '169.254.169.254', family: 4 }])?.message).toMatch(/link-local/);
  expect(refuseAnswers('x', [{ address: '::', family: 6 }])?.message).toMatch(/unspecified/);
});
