/** Config precedence (flags > env > file > defaults), validation and --help. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chainUrlOf, ConfigError, DEFAULTS, helpText, loadConfig } from '../src';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'agent-cfg-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('defaults: dev network, 40 minute uptime, metrics on 127.0.0.1', () => {
  const { command, config } = loadConfig([], {});
  expect(command).toBe('run');
  expect(config).toEqual(DEFAULTS);
  expect(config.metricsAddress.startsWith('127.0.0.1:')).toBe(true);
  expect(config.uptimeIntervalSec).toBe(2400);
  expect(chainUrlOf(config)).toBe('ws://127.0.0.1:9944');
});

test('flags win over environment variables, which win over the config file', () => {
  const file = path.join(dir, 'agent.json');
  writeFileSync(
    file,
    JSON.stringify({
      farmId: 1,
      dataDir: '/from/file',
      network: 'testnet',
      location: { city: 'Ghent', country: 'Belgium' },
      storagePools: ['/a'],
    }),
  );
  const { config } = loadConfig(['--config', file, '--farm-id', '3', '--storage-pool', '/p1', '--storage-pool', '/p2'], {
    TFGRID_AGENT_FARM_ID: '2',
    TFGRID_AGENT_DATA_DIR: '/from/env',
    TFGRID_AGENT_LATITUDE: '51.05',
  });
  expect(config.farmId).toBe(3);
  expect(config.dataDir).toBe('/from/env');
  expect(config.network).toBe('testnet');
  expect(config.storagePools).toEqual(['/p1', '/p2']);
  expect(config.location).toEqual({ city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: 'Unknown' });
  expect(chainUrlOf(config)).toBe('wss://tfchain.test.grid.tf/ws');
  expect(chainUrlOf(loadConfig(['--chain-url', 'ws://10.0.0.1:9944'], {}).config)).toBe('ws://10.0.0.1:9944');
});

test('the config file may be named by the environment; storage pools from env are comma-separated', () => {
  const file = path.join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify({ relay: 'relay.grid.tf' }));
  const { config } = loadConfig(['capacity'], { TFGRID_AGENT_CONFIG: file, TFGRID_AGENT_STORAGE_POOLS: '/mnt/a, /mnt/b' });
  expect(config.relay).toBe('relay.grid.tf');
  expect(config.storagePools).toEqual(['/mnt/a', '/mnt/b']);
});

test('bad input is a ConfigError naming the problem', () => {
  const bad =
    (argv: string[], env = {}) =>
    () =>
      loadConfig(argv, env);
  expect(bad(['--farm-id', 'x'])).toThrow(/farm id must be a positive integer/);
  expect(bad(['--network', 'moon'])).toThrow(/unknown network moon/);
  expect(bad(['--chain-url', 'http://x'])).toThrow(/ws:\/\//);
  expect(bad(['--metrics-address', '9101'])).toThrow(/host:port/);
  expect(bad(['--nope'])).toThrow(ConfigError);
  expect(bad(['frobnicate'])).toThrow(/unknown command/);
  const file = path.join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ farmid: 1 }));
  expect(bad(['--config', file])).toThrow(/unknown keys farmid/);
  writeFileSync(file, '{');
  expect(bad(['--config', file])).toThrow(/not JSON/);
});

test('--help lists every option with its environment variable', () => {
  expect(loadConfig(['--help'], {}).command).toBe('help');
  const text = helpText();
  for (const o of [
    '--chain-url',
    '--network',
    '--farm-id',
    '--data-dir',
    '--storage-pool',
    '--city',
    '--metrics-address',
    '--uptime-interval',
  ])
    expect(text).toContain(o);
  expect(text).toContain('TFGRID_AGENT_FARM_ID');
  expect(text).toContain('tfgrid-agent capacity');
});

test('ACME settings for own domains: an https directory, a PEM CA file and an e-mail, each only with the directory', () => {
  const ca = path.join(dir, 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const { config } = loadConfig(['--acme-directory', 'https://127.0.0.1:14000/dir', '--acme-ca', ca], {
    TFGRID_AGENT_ACME_EMAIL: 'ops@example.com',
  });
  expect(config).toMatchObject({ acmeDirectory: 'https://127.0.0.1:14000/dir', acmeCa: ca, acmeEmail: 'ops@example.com' });
  expect(DEFAULTS.acmeDirectory).toBeUndefined(); // none: own domains are served on HTTP only
  const file = path.join(dir, 'agent.json');
  writeFileSync(file, JSON.stringify({ acmeDirectory: 'https://acme.example/directory', acmeEmail: 'a@b.example' }));
  expect(loadConfig(['--config', file], {}).config.acmeDirectory).toBe('https://acme.example/directory');
  const bad = (argv: string[]) => () => loadConfig(argv, {});
  expect(bad(['--acme-directory', 'http://acme.example/directory'])).toThrow(/ACME directory must be an https:\/\/ URL/);
  expect(bad(['--acme-directory', 'not a url'])).toThrow(/ACME directory must be an https:\/\/ URL/);
  expect(bad(['--acme-directory', 'https://u:p@acme.example/'])).toThrow(/without credentials/);
  expect(bad(['--acme-ca', ca])).toThrow(/--acme-ca needs --acme-directory/);
  expect(bad(['--acme-email', 'ops@example.com'])).toThrow(/--acme-email needs --acme-directory/);
  expect(bad(['--acme-directory', 'https://acme.example/', '--acme-ca', path.join(dir, 'missing.pem')])).toThrow(
    /cannot read the ACME CA file .*ENOENT/,
  );
  writeFileSync(path.join(dir, 'junk.pem'), 'junk');
  expect(bad(['--acme-directory', 'https://acme.example/', '--acme-ca', path.join(dir, 'junk.pem')])).toThrow(/must hold PEM certificates/);
  for (const e of ['ops', 'ops@', '@example.com', 'ops@example', 'a b@example.com'])
    expect(bad(['--acme-directory', 'https://acme.example/', '--acme-email', e])).toThrow(/ACME e-mail must be an address/);
  const text = helpText();
  for (const o of [
    '--acme-directory',
    '--acme-ca',
    '--acme-email',
    'TFGRID_AGENT_ACME_DIRECTORY',
    'TFGRID_AGENT_ACME_CA',
    'TFGRID_AGENT_ACME_EMAIL',
  ])
    expect(text).toContain(o);
});
