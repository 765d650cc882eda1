/** status: chain head and finality, and how far the explorer is behind (its /health). */
import type { Command } from '../command';
import { CliFailure, UsageError } from '../errors';
import { fields } from '../io';

interface Health {
  status: 'ok' | 'degraded';
  indexer: { running: boolean; indexedHeight: number; finalizedHeight: number; lag: number; chainTime: number; lastError: string | null };
}

export const statusCommands: Command[] = [
  {
    name: 'status',
    summary: 'chain head, finality and explorer lag',
    async run(ctx) {
      const c = await ctx.client();
      const api = c.api;
      const [header, finalizedHash, chain, version, health] = await Promise.all([
        api.rpc.chain.getHeader(),
        api.rpc.chain.getFinalizedHead(),
        api.rpc.system.chain(),
        api.rpc.state.getRuntimeVersion(),
        api.rpc.system.health(),
      ]);
      const finalized = (await api.rpc.chain.getHeader(finalizedHash)).number.toNumber();
      const best = header.number.toNumber();
      const chainInfo = {
        url: c.url,
        chain: chain.toString(),
        runtime: `${version.specName.toString()} ${version.specVersion.toNumber()}`,
        best,
        bestHash: header.hash.toHex(),
        finalized,
        finalizedHash: finalizedHash.toHex(),
        finalityLag: best - finalized,
        peers: health.peers.toNumber(),
      };
      let explorer: Record<string, unknown>;
      try {
        const url = ctx.explorerUrl;
        const { body } = await ctx.explorer<Health>('/health');
        explorer = { url, status: body.status, indexed: body.indexer.indexedHeight, lag: Math.max(0, finalized - body.indexer.indexedHeight), lastError: body.indexer.lastError };
      } catch (e) {
        // The chain's part is still worth printing; the run fails (exit 1) because the explorer did not answer.
        if (!(e instanceof CliFailure) && !(e instanceof UsageError)) throw e;
        explorer = { url: (() => { try { return ctx.explorerUrl; } catch { return null; } })(), status: 'unreachable', error: e.message };
      }
      const out = { chain: chainInfo, explorer };
      return {
        ...(explorer.status === 'unreachable' ? { failure: String(explorer.error) } : {}),
        json: out,
        text: fields({
          chain: `${chainInfo.chain} at ${chainInfo.url} (${chainInfo.runtime})`,
          head: `#${best} ${chainInfo.bestHash}`,
          finalized: `#${finalized} (${chainInfo.finalityLag} behind the head)`,
          explorer: explorer.status === 'unreachable' ? `unreachable (${String(explorer.error)})` : `${String(explorer.url)}: ${String(explorer.status)}, indexed #${String(explorer.indexed)}, ${String(explorer.lag)} block(s) behind finality`,
        }),
      };
    },
  },
];
