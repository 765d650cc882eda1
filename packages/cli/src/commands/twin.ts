/** terms accept, twin create|show: an identity on the grid. */
import { TERMS_LINK } from '@tfgrid/client/light';
import type { Command } from '../core/command';
import { str } from '../core/command';
import { CliFailure } from '../core/errors';
import { fields } from '../core/io';
import { parseIntArg } from '../core/units';

/** The hash the CLI accepts ThreeFold's terms (the client's TERMS_LINK) with when none is given. */
const TERMS_HASH = 'tfgrid-terms-v1';

export const twinCommands: Command[] = [
  {
    name: 'terms accept',
    summary: 'accept the terms and conditions (needed once before a twin)',
    options: {
      link: { type: 'string', value: 'URL', help: `document link (default ${TERMS_LINK})` },
      hash: { type: 'string', value: 'HASH', help: `document hash (default ${TERMS_HASH})` },
    },
    async run(ctx, a) {
      const c = await ctx.client(true);
      const terms = { documentLink: str(a, 'link') ?? TERMS_LINK, documentHash: str(a, 'hash') ?? TERMS_HASH };
      const before = await c.twins.termsAccepted(c.address);
      if (before.some((t) => t.documentLink === terms.documentLink && t.documentHash === terms.documentHash)) {
        return {
          json: { address: c.address, ...terms, alreadyAccepted: true },
          text: [`${c.address} had already accepted ${terms.documentLink}`],
        };
      }
      await ctx.tx('accepting the terms', () => c.twins.acceptTerms(terms));
      return { json: { address: c.address, ...terms, alreadyAccepted: false }, text: [`${c.address} accepted ${terms.documentLink}`] };
    },
  },
  {
    name: 'twin create',
    summary: "create the signer's twin (accept the terms first)",
    options: {
      relay: { type: 'string', value: 'DOMAIN', help: 'RMB relay domain (optional)' },
      pk: { type: 'string', value: 'HEX', help: 'public key for encrypted messages, 0x hex (optional)' },
    },
    async run(ctx, a) {
      const c = await ctx.client(true);
      const id = await ctx.tx('creating the twin', () => c.twins.create({ relay: str(a, 'relay') ?? null, pk: str(a, 'pk') ?? null }));
      return { json: { twinId: id, address: c.address }, text: [`twin ${id} created for ${c.address}`] };
    },
  },
  {
    name: 'twin show',
    summary: "a twin (default: the signer's)",
    args: '[ID]',
    maxArgs: 1,
    async run(ctx, a) {
      let id: number | undefined;
      if (a.positionals[0] !== undefined) id = parseIntArg(a.positionals[0], 'twin id');
      else {
        const pair = await ctx.pair();
        id = await (await ctx.client()).twins.idOf(pair.address);
        if (id === undefined)
          throw new CliFailure(`${pair.address} has no twin (run \`tfgrid terms accept\` then \`tfgrid twin create\`)`, {
            kind: 'not-found',
          });
      }
      const t = await (await ctx.client()).twins.get(id);
      if (!t) throw new CliFailure(`there is no twin ${id}`, { kind: 'not-found', twinId: id });
      return { json: t, text: fields({ twin: t.id, account: t.accountId, relay: t.relay, pk: t.pk }) };
    },
  },
];
