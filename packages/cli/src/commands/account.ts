/** account new|show|balance|transfer: keys and TFT. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { str, type Command } from '../core/command';
import { chainLib, cryptoLib, utilLib } from '../core/context';
import { CliFailure, UsageError } from '../core/errors';
import { fields } from '../core/io';
import { formatTft, parseTft } from '../core/units';

export async function checkAddress(a: string, what = 'address'): Promise<string> {
  const { decodeAddress } = cryptoLib();
  try {
    decodeAddress(a);
    return a;
  } catch {
    throw new UsageError(`${what} '${a}' is not an SS58 address`);
  }
}

export const accountCommands: Command[] = [
  {
    name: 'account new',
    summary: 'create a new key (12-word mnemonic); --save writes it to a file (mode 0600)',
    options: { save: { type: 'string', value: 'FILE', help: 'write the mnemonic to FILE (refuses to overwrite) instead of printing it' } },
    details: 'Example: tfgrid account new --save ~/.tfgrid-mnemonic && export TFGRID_MNEMONIC_FILE=~/.tfgrid-mnemonic',
    async run(ctx, a) {
      const { keyFromSecret, keysReady } = await chainLib();
      const { mnemonicGenerate } = cryptoLib();
      await keysReady();
      const mnemonic = mnemonicGenerate(12);
      const pair = keyFromSecret(mnemonic, (ctx.g.keyType ?? 'sr25519') as 'sr25519' | 'ed25519');
      const save = str(a, 'save');
      if (save) {
        const file = path.resolve(ctx.io.cwd, save);
        try {
          writeFileSync(file, `${mnemonic}\n`, { mode: 0o600, flag: 'wx' });
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw code === 'EEXIST'
            ? new UsageError(`${save} exists: not overwriting a key file`)
            : new CliFailure(`cannot write ${save}: ${code ?? (e as Error).message}`);
        }
        return {
          json: { address: pair.address, keyType: pair.type, file },
          text: fields({ address: pair.address, 'key type': pair.type, 'mnemonic saved to': file }),
        };
      }
      return {
        json: { address: pair.address, keyType: pair.type, mnemonic },
        text: [
          ...fields({ address: pair.address, 'key type': pair.type, mnemonic }),
          '',
          'Keep the mnemonic secret and safe: it is the only way to this account.',
        ],
      };
    },
  },
  {
    name: 'account show',
    summary: 'the signer: address, public key, twin and balance',
    async run(ctx) {
      const pair = await ctx.pair();
      const c = await ctx.client();
      const { u8aToHex } = utilLib();
      const [twinId, bal] = await Promise.all([c.twins.idOf(pair.address), c.balances.get(pair.address)]);
      const terms = await c.twins.termsAccepted(pair.address);
      const out = {
        address: pair.address,
        publicKey: u8aToHex(pair.publicKey),
        keyType: pair.type,
        twinId: twinId ?? null,
        termsAccepted: terms.length > 0,
        free: formatTft(bal.free),
      };
      return {
        json: out,
        text: fields({
          address: out.address,
          'public key': out.publicKey,
          'key type': out.keyType,
          twin: twinId ?? 'none (tfgrid twin create)',
          'terms accepted': out.termsAccepted,
          'free TFT': out.free,
        }),
      };
    },
  },
  {
    name: 'account balance',
    summary: "an account's TFT (default: the signer's)",
    args: '[ADDRESS]',
    maxArgs: 1,
    async run(ctx, a) {
      const address = a.positionals[0] ? await checkAddress(a.positionals[0]) : (await ctx.pair()).address;
      const b = await (await ctx.client()).balances.get(address);
      const out = { address, free: formatTft(b.free), reserved: formatTft(b.reserved), frozen: formatTft(b.frozen), units: b };
      return { json: out, text: fields({ address, 'free TFT': out.free, 'reserved TFT': out.reserved, 'frozen TFT': out.frozen }) };
    },
  },
  {
    name: 'account transfer',
    summary: 'send TFT (keeps the sender alive)',
    options: {
      to: { type: 'string', value: 'ADDRESS', help: 'recipient (SS58)' },
      amount: { type: 'string', value: 'TFT', help: 'amount in TFT, e.g. 1.5' },
    },
    details: 'Example: tfgrid account transfer --to 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY --amount 10',
    async run(ctx, a) {
      const to = await checkAddress(required(a, 'to', 'account transfer'), '--to');
      const amount = parseTft(required(a, 'amount', 'account transfer'), '--amount');
      const c = await ctx.client(true);
      const r = await ctx.tx(`transferring ${formatTft(amount)} TFT to ${to}`, () => c.balances.transfer({ to, amount }));
      const out = { from: c.address, to, amount: formatTft(amount), block: r.blockNumber ?? null, txHash: r.hash };
      return { json: out, text: fields(out) };
    },
  },
];

/** A required string option, or a UsageError naming it. */
export function required(a: { values: Record<string, unknown> }, name: string, command: string): string {
  const v = a.values[name];
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  if (typeof s !== 'string' || s === '') throw new UsageError(`'${command}' needs --${name}`, command);
  return s;
}
