/** A node: capacity, reputation and its uptime chart, contracts, interfaces and public config, rewards. */
import { useState } from 'preact/hooks';
import { Capacity, Empty, Show, StatusBadge, useApi, yesNo } from '../components';
import { date, duration, percent } from '../format';
import { NodeRewards } from '../rewards';
import type { Contract, Node, UptimeReport } from '../types';
import { UptimeChart } from '../uptime-chart';

function Facts({ rows }: { rows: [string, string | number][] }) {
  return (
    <dl class="facts">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v === '' ? '—' : v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Contracts({ nodeId }: { nodeId: number }) {
  const loaded = useApi<Contract[]>('/contracts', { node_id: nodeId, size: 100 }, ['contract']);
  return (
    <Show
      loaded={loaded}
      what="contracts"
      ok={(cs) =>
        cs.length === 0 ? (
          <Empty>No contract on this node.</Empty>
        ) : (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Contract table">
            <table>
              <thead>
                <tr>
                  <th scope="col">Contract</th>
                  <th scope="col">Type</th>
                  <th scope="col">State</th>
                  <th scope="col">Twin</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {cs.map((c) => (
                  <tr key={c.contract_id}>
                    <td>{c.contract_id}</td>
                    <td>{c.type}</td>
                    <td>{c.state}</td>
                    <td>{c.twin_id}</td>
                    <td>{date(c.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }
    />
  );
}

const WINDOWS = [
  ['24 h', 86_400],
  ['7 d', 7 * 86_400],
  ['30 d', 30 * 86_400],
] as const;

function Uptime({ node }: { node: Node }) {
  const reports = useApi<UptimeReport[]>(`/nodes/${node.nodeId}/uptime_reports`, {}, ['uptime']);
  const [span, setSpan] = useState<number>(WINDOWS[2][1]);
  const r = node.reputation;
  // The node's clock: the chain's when it runs ahead of this browser (a dev chain after time travel).
  const now = Math.max(Math.floor(Date.now() / 1000), node.updatedAt, reports.state === 'ok' ? (reports.data.at(-1)?.timestamp ?? 0) : 0);
  return (
    <>
      <ul class="reputation" aria-label="Reputation">
        <li>
          <span>Last 24 h</span>
          <strong data-testid="reputation-24h">{percent(r.last_24h)}</strong>
        </li>
        <li>
          <span>Last 7 d</span>
          <strong>{percent(r.last_7d)}</strong>
        </li>
        <li>
          <span>Last 30 d</span>
          <strong>{percent(r.last_30d)}</strong>
        </li>
      </ul>
      <div class="segmented" role="radiogroup" aria-label="Chart window">
        {WINDOWS.map(([label, seconds]) => (
          <label key={label}>
            <input type="radio" name="uptime-window" checked={span === seconds} onChange={() => setSpan(seconds)} /> {label}
          </label>
        ))}
      </div>
      <Show
        loaded={reports}
        what="uptime reports"
        ok={(rs) => <UptimeChart reports={rs} from={Math.max(now - span, node.created)} to={now} />}
      />
    </>
  );
}

export function NodePage({ id }: { id: number }) {
  const loaded = useApi<Node>(`/nodes/${id}`, {}, ['node', 'uptime', 'contract']);
  return (
    <section aria-labelledby="node-title">
      <h1 id="node-title">Node {id}</h1>
      <Show
        loaded={loaded}
        what={`node ${id}`}
        ok={(n) => (
          <>
            <p class="lead">
              <StatusBadge status={n.status} /> in farm <a href={`#/farms/${n.farmId}`}>{n.farmName || n.farmId}</a>
              {n.location.country && ` · ${n.location.country}${n.location.city ? `, ${n.location.city}` : ''}`} · up {duration(n.uptime)}{' '}
              at its last report
            </p>
            <div class="grid2">
              <section aria-labelledby="cap-title" class="card">
                <h2 id="cap-title">Capacity</h2>
                <p class="muted">Used: what its contracts reserve and what the node keeps for itself.</p>
                <Capacity
                  label="CPU cores"
                  used={n.total_resources.cru - n.free_resources.cru}
                  total={n.total_resources.cru}
                  bytes={false}
                />
                <Capacity label="Memory" used={n.total_resources.mru - n.free_resources.mru} total={n.total_resources.mru} />
                <Capacity label="SSD" used={n.total_resources.sru - n.free_resources.sru} total={n.total_resources.sru} />
                <Capacity label="HDD" used={n.total_resources.hru - n.free_resources.hru} total={n.total_resources.hru} />
              </section>
              <section aria-labelledby="about-title" class="card">
                <h2 id="about-title">About</h2>
                <Facts
                  rows={[
                    ['Twin', n.twinId],
                    ['Certification', n.certificationType],
                    ['Farming policy', n.farmingPolicyId],
                    ['Power', `${n.power.state} (target ${n.power.target})`],
                    ['Rentable', yesNo(n.rentable)],
                    ['Rented', n.rented ? `by twin ${n.rentedByTwinId} (contract ${n.rentContractId})` : 'no'],
                    ['Dedicated farm', yesNo(n.dedicated)],
                    ['Price', `$${n.price_usd} / month`],
                    ['Serial', n.serialNumber],
                    ['Registered', date(n.created)],
                    ['Updated', date(n.updatedAt)],
                  ]}
                />
              </section>
            </div>
            <section aria-labelledby="uptime-title" class="card">
              <h2 id="uptime-title">Uptime and reputation</h2>
              <Uptime node={n} />
            </section>
            <div class="grid2">
              <section aria-labelledby="net-title" class="card">
                <h2 id="net-title">Public config</h2>
                {n.publicConfig.ipv4 || n.publicConfig.ipv6 || n.publicConfig.domain ? (
                  <Facts
                    rows={[
                      ['IPv4', n.publicConfig.ipv4],
                      ['Gateway 4', n.publicConfig.gw4],
                      ['IPv6', n.publicConfig.ipv6],
                      ['Gateway 6', n.publicConfig.gw6],
                      ['Domain', n.publicConfig.domain],
                    ]}
                  />
                ) : (
                  <Empty>No public config.</Empty>
                )}
                <h3>Interfaces</h3>
                {n.interfaces.length === 0 ? (
                  <Empty>No interface registered.</Empty>
                ) : (
                  <ul class="interfaces">
                    {n.interfaces.map((i) => (
                      <li key={i.name}>
                        <strong>{i.name}</strong> {i.mac} {i.ips}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
              <section aria-labelledby="contracts-title" class="card">
                <h2 id="contracts-title">Contracts</h2>
                <Contracts nodeId={n.nodeId} />
              </section>
            </div>
            <section aria-labelledby="rewards-title" class="card">
              <h2 id="rewards-title">Farming rewards</h2>
              <NodeRewards nodeId={n.nodeId} />
            </section>
          </>
        )}
      />
    </section>
  );
}
