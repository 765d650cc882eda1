/**
 * The tfgrid CLI against an in-process dev chain and explorer: farmer and deployer commands,
 * --json output, chain errors in words, exit codes. Some runs go through the real bin.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, TFT, type TfchainClient } from '@tfgrid/client';
import type { Devchain } from '@tfgrid/devchain';
import { startExplorer, type Explorer } from '@tfgrid/explorer';
import { registerNode, startChain } from '@tfgrid/testkit';
import { bin, cli, until } from './helpers';

jest.setTimeout(120_000);

const GiB = 1024 ** 3;
let chain: Devchain;
let explorer: Explorer;
let dir: string;
let nodeClient: TfchainClient;
let nodeId: number;
let farmId: number;
const ALICE = { TFGRID_MNEMONIC: '//Alice' };
const BOB = { TFGRID_MNEMONIC: '//Bob' };

/** Global flags pointing at the test chain and explorer. */
const at = (): string[] => ['--url', chain.url, '--explorer', explorer.url, '--quiet'];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfgrid-cli-'));
  chain = await startChain();
  explorer = await startExplorer({ chain: chain.url, db: path.join(dir, 'explorer'), port: 0, pollMs: 200 });
});

afterAll(async () => {
  await nodeClient?.disconnect();
  await explorer?.stop();
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('help and bad input (exit 2)', () => {
  test('--help through the real bin lists every command', async () => {
    const r = await bin(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['account new', 'farm add-ip', 'node power', 'nodes find', 'deploy FILE', 'contracts cancel', 'name reserve', 'status'])
      expect(r.stdout).toContain(c);
  });

  test('a command --help shows its options', async () => {
    const r = await cli(['farm', 'create', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--ip CIDR');
  });

  test('unknown options, commands, values are named; exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['farm', 'create', '--bogus'], /--bogus/],
      [['farm', 'frobnicate'], /unknown command 'farm frobnicate'/],
      [['farm'], /'farm' needs a subcommand/],
      [['farm', 'show', 'abc', ...at()], /farm id must be a whole number/],
      [['status', '--network', 'nowhere'], /--network must be one of/],
      [['account', 'transfer', '--to', 'nope', '--amount', '1', ...at()], /--to 'nope' is not an SS58 address/],
      [
        ['account', 'transfer', '--to', '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', '--amount', '1.123456789', ...at()],
        /at most 7 decimals/,
      ],
      [['node', 'show', ...at()], /needs NODE_ID/],
      [['nodes', 'find', '--status', 'sleepy', ...at()], /--status must be one of/],
      [['farm', 'create', '--name', 'x', '--timeout', '0', ...at()], /--timeout must be/],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(argv, ALICE);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.stderr).toMatch(re);
    }
  });

  test('signing commands without a key say how to give one; a bad mnemonic is not echoed', async () => {
    const none = await cli(['twin', 'create', ...at()], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--mnemonic-file FILE or set TFGRID_MNEMONIC/);
    const bad = await cli(['twin', 'create', ...at()], { TFGRID_MNEMONIC: 'definitely not twelve words secretword' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/key from TFGRID_MNEMONIC is not valid: it has 5 word\(s\)/);
    expect(bad.stderr).not.toContain('secretword');
  });

  test('a phrase that is not a BIP39 mnemonic is refused as a key; dev URIs, 0x seeds and mnemonics are accepted', async () => {
    const file = path.join(dir, 'password.key');
    writeFileSync(file, 'hunter2\n');
    const cases: [Record<string, string>, RegExp][] = [
      [{ TFGRID_MNEMONIC: 'hunter2' }, /key from TFGRID_MNEMONIC is not valid: it has 1 word/],
      [{ TFGRID_MNEMONIC_FILE: file }, new RegExp(`key from TFGRID_MNEMONIC_FILE=${file} is not valid`)],
      // Twelve real words, wrong checksum; twelve words of which two are not in the list.
      [
        { TFGRID_MNEMONIC: 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon' },
        /checksum does not match/,
      ],
      [
        { TFGRID_MNEMONIC: 'bottom drive obey lake curtain smoke basket hold race lonely qwerty zzzz' },
        /2 of its 12 words are not in the BIP39 English wordlist/,
      ],
      [{ TFGRID_MNEMONIC: '0x1234' }, /64 hex digits/],
    ];
    for (const [env, re] of cases) {
      const r = await cli(['account', 'show', ...at()], env);
      expect({ env, code: r.code }).toEqual({ env, code: 2 });
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toContain('hunter2');
    }
    const good = [
      '//Alice',
      '//Alice//stash',
      `0x${'11'.repeat(32)}`,
      'bottom drive obey lake curtain smoke basket hold race lonely fit walk',
      'bottom drive obey lake curtain smoke basket hold race lonely fit walk//0',
    ];
    for (const secret of good) {
      const r = await cli(['account', 'show', '--json', ...at()], { TFGRID_MNEMONIC: secret });
      expect({ secret, code: r.code, err: r.stderr }).toEqual({ secret, code: 0, err: '' });
    }
  });

  test('key precedence: --mnemonic-file > TFGRID_MNEMONIC > TFGRID_MNEMONIC_FILE (the more specific wins)', async () => {
    const file = path.join(dir, 'precedence.key');
    const made = await cli(['account', 'new', '--save', file, '--json']);
    const fromFile = made.json().address as string;
    const alice = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
    const bob = '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty';
    const who = async (argv: string[], env: Record<string, string>) =>
      (await cli(['account', 'show', '--json', ...argv, ...at()], env)).json().address as string;
    expect(await who([], { TFGRID_MNEMONIC_FILE: file })).toBe(fromFile);
    expect(await who([], { TFGRID_MNEMONIC_FILE: file, TFGRID_MNEMONIC: '//Alice' })).toBe(alice);
    expect(await who(['--mnemonic-file', file], { TFGRID_MNEMONIC_FILE: file, TFGRID_MNEMONIC: '//Alice' })).toBe(fromFile);
    writeFileSync(path.join(dir, 'bob.key'), '//Bob\n');
    expect(await who(['--mnemonic-file', path.join(dir, 'bob.key')], { TFGRID_MNEMONIC: '//Alice' })).toBe(bob);
  });

  test('--field prints one field of the result, for scripts; an unknown field is named', async () => {
    const r = await cli(['account', 'show', '--field', 'address', ...at()], ALICE);
    expect({ code: r.code, out: r.stdout }).toEqual({ code: 0, out: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY\n' });
    const nested = await cli(['status', '--field', 'chain.runtime', ...at()]);
    expect(nested.stdout).toBe('substrate-threefold 152\n');
    const bad = await cli(['account', 'show', '--field', 'nope', ...at()], ALICE);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/the result of 'account show' has no field 'nope' \(its fields: address, publicKey/);
  });

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.resolve(__dirname, '../package.json'), 'utf8')) as { version: string };
    const r = await bin(['--version']);
    expect({ code: r.code, out: r.stdout }).toEqual({ code: 0, out: `tfgrid ${version}\n` });
    expect((await cli(['--version', '--json'])).json()).toEqual({ version });
  });

  test('TFGRID_URL and TFGRID_EXPLORER stand in for --url and --explorer; bad values are named', async () => {
    const r = await cli(['status', '--json'], { TFGRID_URL: chain.url, TFGRID_EXPLORER: explorer.url });
    expect(r.code).toBe(0);
    expect(r.json().chain.url).toBe(chain.url);
    const bad = await cli(['status'], { TFGRID_URL: 'http://nope' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/TFGRID_URL must be a ws:\/\/ or wss:\/\/ URL, got 'http:\/\/nope'/);
  });

  test('--json errors are JSON on stdout too', async () => {
    const r = await cli(['farm', 'show', 'x', '--json']);
    expect(r.code).toBe(2);
    expect(r.json().error.kind).toBe('usage');
  });

  test('an unreachable chain exits 1 with the URL', async () => {
    const r = await cli(['status', '--url', 'ws://127.0.0.1:1', '--timeout', '10']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the chain at ws:\/\/127\.0\.0\.1:1/);
  });
});

describe('account', () => {
  test('new prints a key, or saves it 0600 and refuses to overwrite', async () => {
    const r = await cli(['account', 'new', '--json']);
    expect(r.code).toBe(0);
    const j = r.json();
    expect(j.address).toMatch(/^5/);
    expect(j.mnemonic.split(' ')).toHaveLength(12);
    const file = path.join(dir, 'key');
    const s = await cli(['account', 'new', '--save', file, '--json']);
    expect(s.code).toBe(0);
    expect(s.stdout).not.toContain(readFileSync(file, 'utf8').trim());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await cli(['account', 'new', '--save', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not overwriting/);
    // The saved key signs: its balance is read with --mnemonic-file.
    const b = await cli(['account', 'balance', '--mnemonic-file', file, '--json', ...at()]);
    expect(b.code).toBe(0);
    expect(b.json()).toMatchObject({ address: s.json().address, free: '0' });
  });

  test('balance and transfer (real bin, --json)', async () => {
    const to = (await cli(['account', 'new', '--json'])).json().address as string;
    const t = await bin(['account', 'transfer', '--to', to, '--amount', '2.5', '--json', '--url', chain.url], ALICE);
    expect(t.code).toBe(0);
    expect(t.json()).toMatchObject({ to, amount: '2.5' });
    expect(t.stderr).toMatch(/waiting for the chain/);
    const b = await cli(['account', 'balance', to, '--json', ...at()]);
    expect(b.json()).toMatchObject({ free: '2.5', units: { free: String((25n * TFT) / 10n) } });
  });
});

describe('farmer', () => {
  test('terms, twin, farm with IPs (real bin), and FarmExists explained', async () => {
    expect((await cli(['terms', 'accept', ...at()], ALICE)).code).toBe(0);
    const again = await cli(['terms', 'accept', '--json', ...at()], ALICE);
    expect(again.json().alreadyAccepted).toBe(true);
    const twin = await cli(['twin', 'create', '--json', ...at()], ALICE);
    expect(twin.code).toBe(0);
    expect(twin.json().twinId).toBe(1);
    const show = await cli(['account', 'show', '--json', ...at()], ALICE);
    expect(show.json()).toMatchObject({ twinId: 1, termsAccepted: true });
    expect((await cli(['twin', 'show', '--json', ...at()], ALICE)).json()).toMatchObject({ id: 1, accountId: show.json().address });

    const f = await bin(
      [
        'farm',
        'create',
        '--name',
        'cli_farm',
        '--ip',
        '185.206.122.33/24',
        '--ip',
        '185.206.122.34/24',
        '--gw',
        '185.206.122.1',
        '--json',
        ...at(),
      ],
      ALICE,
    );
    expect(f.code).toBe(0);
    const farm = f.json();
    farmId = farm.id;
    expect(farm).toMatchObject({
      name: 'cli_farm',
      twinId: 1,
      publicIps: [{ ip: '185.206.122.33/24', gateway: '185.206.122.1', contractId: 0 }, { ip: '185.206.122.34/24' }],
    });

    const dup = await bin(['farm', 'create', '--name', 'cli_farm', ...at()], ALICE);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('TfgridModule.FarmExists');
    expect(dup.stderr).toMatch(/a farm with this name already exists/);
    const dupJson = await cli(['farm', 'create', '--name', 'cli_farm', '--json', ...at()], ALICE);
    expect(dupJson.json().error).toMatchObject({ kind: 'chain', pallet: 'TfgridModule', error: 'FarmExists' });

    const add = await cli(
      ['farm', 'add-ip', String(farmId), '--ip', '185.206.122.35/24', '--gw', '185.206.122.1', '--json', ...at()],
      ALICE,
    );
    expect(add.json().publicIps.map((p: { ip: string }) => p.ip)).toContain('185.206.122.35/24');
    const rm = await cli(['farm', 'remove-ip', String(farmId), '--ip', '185.206.122.35/24', '--json', ...at()], ALICE);
    expect(rm.json().publicIps.map((p: { ip: string }) => p.ip)).not.toContain('185.206.122.35/24');
    const missing = await cli(['farm', 'remove-ip', String(farmId), '--ip', '185.206.122.99/24', ...at()], ALICE);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('TfgridModule.IpNotExists');

    const mine = await cli(['farm', 'show', '--json', ...at()], ALICE);
    expect(mine.json().map((x: { name: string }) => x.name)).toEqual(['cli_farm']);
    expect((await cli(['farm', 'show', '--name', 'cli_farm', ...at()])).stdout).toContain('185.206.122.33/24');

    // Bob has no twin: creating a farm is refused with the reason and the signer named.
    const bob = await cli(['farm', 'create', '--name', 'bob_farm', ...at()], BOB);
    expect(bob.code).toBe(1);
    expect(bob.stderr).toMatch(/TfgridModule\.\w+/);
    expect(bob.stderr).toContain('(signer 5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty, key from TFGRID_MNEMONIC)');
    const bobJson = await cli(['farm', 'create', '--name', 'bob_farm', '--json', ...at()], BOB);
    expect(bobJson.json().error.signer).toEqual({
      address: '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty',
      keySource: 'TFGRID_MNEMONIC',
    });
  });

  test('node list, show and power', async () => {
    nodeId = await registerChainNode(farmId);
    const l = await cli(['node', 'list', '--json', ...at()], ALICE);
    expect(l.code).toBe(0);
    expect(l.json().map((n: { id: number }) => n.id)).toEqual([nodeId]);
    const text = await cli(['node', 'list', '--farm', String(farmId), ...at()]);
    expect(text.stdout).toMatch(/NODE\s+FARM/);
    const s = await cli(['node', 'show', String(nodeId), '--json', ...at()]);
    expect(s.json()).toMatchObject({
      id: nodeId,
      farmId,
      farmName: 'cli_farm',
      resources: { hru: 200 * GiB, cru: 4 },
      power: { state: 'Up', target: 'Up' },
    });
    expect((await cli(['node', 'show', String(nodeId), ...at()])).stdout).toMatch(new RegExp(`^farm:\\s+${farmId} "cli_farm"$`, 'm'));
    const p = await cli(['node', 'power', String(nodeId), 'down', '--json', ...at()], ALICE);
    expect(p.json()).toMatchObject({ nodeId, target: 'Down' });
    const back = await cli(['node', 'power', String(nodeId), 'up', ...at()], ALICE);
    expect(back.code).toBe(0);
    const bobKey = path.join(dir, 'bob-power.key');
    writeFileSync(bobKey, '//Bob\n');
    const notMine = await cli(['node', 'power', String(nodeId), 'down', ...at()], { TFGRID_MNEMONIC_FILE: bobKey });
    expect(notMine.code).toBe(1);
    expect(notMine.stderr).toMatch(/TfgridModule\.\w+/);
    expect(notMine.stderr).toContain(`key from TFGRID_MNEMONIC_FILE=${bobKey})`);
    expect((await cli(['node', 'show', '999', ...at()])).stderr).toMatch(/there is no node 999/);
  });
});

describe('deployer', () => {
  test('nodes find through the explorer', async () => {
    await until(
      'the explorer to index the node',
      async () => (await cli(['nodes', 'find', '--status', 'any', '--json', ...at()])).json().length === 1,
    );
    const r = await cli([
      'nodes',
      'find',
      '--status',
      'any',
      '--free-hru',
      '100',
      '--cru',
      '2',
      '--farm',
      String(farmId),
      '--json',
      ...at(),
    ]);
    expect(r.code).toBe(0);
    expect(r.json()[0]).toMatchObject({ nodeId, farmId, total_resources: { hru: 200 * GiB } });
    const none = await cli(['nodes', 'find', '--status', 'any', '--free-hru', '1TiB', '--json', ...at()]);
    expect(none.json()).toEqual([]);
    const text = await cli(['nodes', 'find', '--status', 'any', ...at()]);
    expect(text.stdout).toMatch(/FREE HRU/);
    const down = await cli(['nodes', 'find', '--explorer', 'http://127.0.0.1:1', '--url', chain.url]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the explorer at http:\/\/127\.0\.0\.1:1/);
  });

  test('name reserve and release; a taken name is explained', async () => {
    const r = await cli(['name', 'reserve', 'cli-site', '--json', ...at()], ALICE);
    expect(r.code).toBe(0);
    const id = r.json().contractId;
    const dup = await cli(['name', 'reserve', 'cli-site', ...at()], ALICE);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('SmartContractModule.NameExists');
    const s = await cli(['contracts', 'show', String(id), '--json', ...at()]);
    expect(s.json()).toMatchObject({ id, state: 'Created', type: { kind: 'name', name: 'cli-site' } });
    const rel = await cli(['name', 'release', 'cli-site', '--json', ...at()], ALICE);
    expect(rel.json()).toEqual({ name: 'cli-site', contractId: id });
    expect((await cli(['name', 'release', 'cli-site', ...at()], ALICE)).stderr).toMatch(/not reserved/);
    expect((await cli(['name', 'reserve', 'Bad Name', ...at()], ALICE)).code).toBe(2);
  });
  // deploy, contracts show/update/cancel against a real agent: deploy.test.ts
});

test('status: chain head, finality and explorer lag (real bin, --json)', async () => {
  const r = await bin(['status', '--json', '--url', chain.url, '--explorer', explorer.url]);
  expect(r.code).toBe(0);
  const j = r.json();
  expect(j.chain.best).toBeGreaterThan(0);
  expect(j.chain.finalized).toBeLessThanOrEqual(j.chain.best);
  expect(j.chain.runtime).toBe('substrate-threefold 152');
  expect(j.explorer.status).toMatch(/ok|degraded/);
  expect(typeof j.explorer.lag).toBe('number');
  // The explorer not answering fails the run (exit 1); the chain's part is still printed.
  const text = await cli(['status', '--url', chain.url, '--explorer', 'http://127.0.0.1:1']);
  expect(text.code).toBe(1);
  expect(text.stdout).toMatch(/explorer:\s+unreachable/);
  expect(text.stdout).toMatch(/head:\s+#\d+/);
  expect(text.stderr).toMatch(/cannot reach the explorer at http:\/\/127\.0\.0\.1:1/);
});

/** A node registered straight through the client (no agent in these tests), publishing its box key. */
async function registerChainNode(farm: number): Promise<number> {
  const alice = await connect({ url: chain.url, secret: '//Alice' });
  const node = await registerNode(chain.url, {
    farmId: farm,
    funder: alice,
    funds: 100n * TFT,
    publishBoxKey: true,
    resources: { hru: 200 * GiB, sru: 0, cru: 4, mru: 8 * GiB },
    interfaces: [{ name: 'zos', mac: '00:11:22:33:44:55', ips: ['10.2.0.5'] }],
  });
  await alice.disconnect();
  nodeClient = node.client;
  return node.nodeId;
}
