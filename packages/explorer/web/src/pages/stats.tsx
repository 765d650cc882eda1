/** Statistics: nodes by status, capacity total and used, contracts by state, countries on the map. */
import { Capacity, Show, useApi } from '../components';
import { size } from '../format';
import type { Node, Stats } from '../types';
import { WorldMap } from '../world-map';

function Count({ path, q, label, cls }: { path: string; q: Record<string, string>; label: string; cls?: string }) {
  const loaded = useApi<unknown[]>(path, { ...q, size: '1', ret_count: 'true' }, ['node', 'uptime', 'contract']);
  return (
    <li class={cls}>
      <span>{label}</span>
      <strong>{loaded.state === 'ok' ? (loaded.count ?? '?') : loaded.state === 'error' ? 'error' : '…'}</strong>
    </li>
  );
}

export function StatsPage() {
  const stats = useApi<Stats>('/stats', {}, ['node', 'farm', 'contract', 'twin']);
  // Capacity used: the sum over nodes that are up (as the explorer's capacity gauges count).
  const up = useApi<Node[]>('/nodes', { status: 'up', size: '1000' }, ['node', 'contract']);
  const all = useApi<Node[]>('/nodes', { size: '1000' }, ['node']);
  return (
    <section aria-labelledby="stats-title">
      <h1 id="stats-title">Statistics</h1>
      <div class="grid2">
        <section class="card" aria-labelledby="by-status">
          <h2 id="by-status">Nodes by status</h2>
          <ul class="counts">
            <Count path="/nodes" q={{ status: 'up' }} label="up" cls="status-up" />
            <Count path="/nodes" q={{ status: 'standby' }} label="standby" cls="status-standby" />
            <Count path="/nodes" q={{ status: 'down' }} label="down" cls="status-down" />
          </ul>
          <h2>Contracts by state</h2>
          <ul class="counts">
            <Count path="/contracts" q={{ state: 'Created' }} label="created" />
            <Count path="/contracts" q={{ state: 'GracePeriod' }} label="grace period" />
            <Count path="/contracts" q={{ state: 'Deleted' }} label="deleted" />
          </ul>
        </section>
        <section class="card" aria-labelledby="capacity">
          <h2 id="capacity">Capacity</h2>
          <Show
            loaded={stats}
            what="statistics"
            ok={(s) => (
              <>
                <ul class="counts">
                  <li>
                    <span>farms</span>
                    <strong>{s.farms}</strong>
                  </li>
                  <li>
                    <span>nodes</span>
                    <strong>{s.nodes}</strong>
                  </li>
                  <li>
                    <span>countries</span>
                    <strong>{s.countries}</strong>
                  </li>
                  <li>
                    <span>twins</span>
                    <strong>{s.twins}</strong>
                  </li>
                  <li>
                    <span>public IPs</span>
                    <strong>{s.publicIps}</strong>
                  </li>
                </ul>
                <p class="muted">
                  Total: {s.totalCru} cores, {size(s.totalMru)} memory, {size(s.totalSru)} SSD, {size(s.totalHru)} HDD
                </p>
              </>
            )}
          />
          <Show
            loaded={up}
            what="used capacity"
            ok={(nodes) => {
              const sum = (f: (n: Node) => number) => nodes.reduce((a, n) => a + f(n), 0);
              return (
                <>
                  <p class="muted">
                    Nodes that are up ({nodes.length}); used is what contracts reserve and what nodes keep for themselves:
                  </p>
                  <Capacity
                    label="CPU cores"
                    used={sum((n) => n.total_resources.cru - n.free_resources.cru)}
                    total={sum((n) => n.total_resources.cru)}
                    bytes={false}
                  />
                  <Capacity
                    label="Memory"
                    used={sum((n) => n.total_resources.mru - n.free_resources.mru)}
                    total={sum((n) => n.total_resources.mru)}
                  />
                  <Capacity
                    label="SSD"
                    used={sum((n) => n.total_resources.sru - n.free_resources.sru)}
                    total={sum((n) => n.total_resources.sru)}
                  />
                  <Capacity
                    label="HDD"
                    used={sum((n) => n.total_resources.hru - n.free_resources.hru)}
                    total={sum((n) => n.total_resources.hru)}
                  />
                </>
              );
            }}
          />
        </section>
      </div>
      <section class="card" aria-labelledby="map-title">
        <h2 id="map-title">Nodes by country</h2>
        <Show
          loaded={stats}
          what="the map"
          ok={(s) => (
            <WorldMap
              byCountry={s.nodesDistribution}
              points={
                all.state === 'ok'
                  ? all.data
                      .filter((n) => n.location.latitude !== null && n.location.longitude !== null)
                      .map((n) => ({ lon: n.location.longitude!, lat: n.location.latitude!, label: `node ${n.nodeId}` }))
                  : []
              }
            />
          )}
        />
      </section>
    </section>
  );
}
