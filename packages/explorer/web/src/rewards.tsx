/** A node's or a farm's farming reward for a minting period, from the explorer's minting computation. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorBox, Loading, PeriodPicker, Show, useApi } from './components';
import { percent, tft, usd } from './format';
import type { FarmReward, NodeReward, Periods } from './types';

function Reason({ r }: { r: NodeReward }) {
  if (!r.reason) return <>{r.uptime.sla_met ? 'rewarded' : '—'}</>;
  return <>{r.reason}</>;
}

function NodeRewardRows({ rewards }: { rewards: NodeReward[] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Rewards per node">
      <table>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">Uptime</th>
            <th scope="col">Reports</th>
            <th scope="col">CU / SU</th>
            <th scope="col">Reward</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {rewards.map((r) => (
            <tr key={r.node_id}>
              <td>
                <a href={`#/nodes/${r.node_id}`}>{r.node_id}</a>
              </td>
              <td>
                {percent(r.uptime.ratio)}
                {r.uptime.required_ratio !== null && ` (needs ${percent(r.uptime.required_ratio)})`}
              </td>
              <td>{r.uptime.reports}</td>
              <td>
                {r.units.cu.toFixed(2)} / {r.units.su.toFixed(2)}
              </td>
              <td>
                {tft(r.reward.tft)} ({usd(r.reward.usd)})
              </td>
              <td class="why">
                <Reason r={r} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PeriodNote({ period }: { period: NodeReward['period'] }) {
  if (period.complete) return null;
  if (period.indexed_until < period.end) return <p class="note">This period is not over: the figures are those so far.</p>;
  return <p class="note">Not final yet: minting also counts each node's first report in the 27 h after the period's end.</p>;
}

/**
 * The rewards of `path` (a node's or a farm's) for the minting period chosen in the picker (the
 * current one at first), refreshed on the stream's `refresh` events, drawn by `render`.
 */
function PeriodRewards<T>({ path, refresh, render }: { path: string; refresh: string[]; render: (r: T) => ComponentChildren }) {
  const periods = useApi<Periods>('/rewards/periods');
  const [chosen, setChosen] = useState<number | null>(null);
  const p = periods.state === 'ok' ? periods.data : null;
  const period = chosen ?? p?.current.id ?? null;
  const reward = useApi<T>(period === null ? null : path, { period: period ?? undefined }, refresh);
  if (periods.state === 'error') return <ErrorBox message={periods.message} />;
  if (!p || period === null) return <Loading what="minting periods" />;
  return (
    <div class="rewards">
      <PeriodPicker periods={p} value={period} onChange={setChosen} />
      <Show loaded={reward} what="rewards" ok={render} />
    </div>
  );
}

export function NodeRewards({ nodeId }: { nodeId: number }) {
  return (
    <PeriodRewards<NodeReward>
      path={`/nodes/${nodeId}/rewards`}
      refresh={['uptime']}
      render={(r) => (
        <>
          <p class="big" data-testid="node-reward">
            {tft(r.reward.tft)} <span class="muted">({usd(r.reward.usd)})</span>
          </p>
          <PeriodNote period={r.period} />
          <NodeRewardRows rewards={[r]} />
          {r.violations.length > 0 && (
            <ul class="violations" aria-label="Violations">
              {r.violations.map((v, i) => (
                <li key={i}>
                  {v.kind}: {v.message}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    />
  );
}

export function FarmRewards({ farmId }: { farmId: number }) {
  return (
    <PeriodRewards<FarmReward>
      path={`/farms/${farmId}/rewards`}
      refresh={['uptime', 'node']}
      render={(r) => (
        <>
          <p class="big" data-testid="farm-reward">
            {tft(r.total.tft)}{' '}
            <span class="muted">
              ({usd(r.total.usd)}) — {r.total.nodes_rewarded} of {r.total.nodes} nodes rewarded
            </span>
          </p>
          <PeriodNote period={r.period} />
          {r.nodes.length === 0 ? <p class="empty">The farm has no node.</p> : <NodeRewardRows rewards={r.nodes} />}
        </>
      )}
    />
  );
}
