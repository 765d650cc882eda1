/** status: chain head and finality, and how far the explorer is behind (its /health). */
import type { ExplorerHealth } from '@tfgrid/explorer';
import type { Command } from '../core/command';
import { CliFailure, UsageError } from '../core/errors';
import { fields } from '../core/io';

/** grid-proxy's /health: its database and RMB connections and when each of its indexers last wrote. */
interface GridProxyHealth {
  total_state_ok: boolean;
  db_conn: string;
  rmb_conn: string;
  indexers?: Record<string, { updated_at?: number }>;
}

/** What `status` shows of an explorer's /health, whichever of the two answered. */
export function explorerHealth(url: string, body: unknown, finalized: number): Record<string, unknown> {
  const b = (body ?? {}) as Partial<ExplorerHealth & GridProxyHealth>;
  if (b.indexer && typeof b.indexer.indexedHeight === 'number') {
    return {
      url,
      kind: 'explorer',
      status: b.status,
      indexed: b.indexer.indexedHeight,
      lag: Math.max(0, finalized - b.indexer.indexedHeight),
      lastError: b.indexer.lastError,
    };
  }
  if (typeof b.total_state_ok === 'boolean') {
    // grid-proxy reports no indexed height: its state and connections instead.
    const problems = [
      b.db_conn !== 'ok' ? `database: ${String(b.db_conn)}` : '',
      b.rmb_conn !== 'ok' ? `rmb: ${String(b.rmb_conn)}` : '',
    ].filter(Boolean);
    return {
      url,
      kind: 'grid-proxy',
      status: b.total_state_ok ? 'ok' : 'degraded',
      db: b.db_conn,
      rmb: b.rmb_conn,
      lastError: problems.length ? problems.join('; ') : null,
    };
  }
  throw new CliFailure("the explorer answered /health with neither our explorer's nor grid-proxy's body", { kind: 'explorer' });
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
        const { body } = await ctx.explorer<unknown>('/health');
        explorer = explorerHealth(url, body, finalized);
      } catch (e) {
        // The chain's part is still worth printing; the run fails (exit 1) because the explorer did not answer.
        if (!(e instanceof CliFailure) && !(e instanceof UsageError)) throw e;
        explorer = {
          url: (() => {
            try {
              return ctx.explorerUrl;
            } catch {
              return null;
            }
          })(),
          status: 'unreachable',
          error: e.message,
        };
      }
      const out = { chain: chainInfo, explorer };
      return {
        ...(explorer.status === 'unreachable' ? { failure: String(explorer.error) } : {}),
        json: out,
        text: fields({
          chain: `${chainInfo.chain} at ${chainInfo.url} (${chainInfo.runtime})`,
          head: `#${best} ${chainInfo.bestHash}`,
          finalized: `#${finalized} (${chainInfo.finalityLag} behind the head)`,
          explorer:
            explorer.status === 'unreachable'
              ? `unreachable (${String(explorer.error)})`
              : explorer.kind === 'grid-proxy'
                ? `${String(explorer.url)} (grid-proxy): ${String(explorer.status)}, database ${String(explorer.db)}, rmb ${String(explorer.rmb)}`
                : `${String(explorer.url)}: ${String(explorer.status)}, indexed #${String(explorer.indexed)}, ${String(explorer.lag)} block(s) behind finality`,
        }),
      };
    },
  },
];
