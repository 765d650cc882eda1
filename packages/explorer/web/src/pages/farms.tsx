/** Farms: the list (name filter, paging; in the URL) and a farm's page with its nodes, IPs, policy and rewards. */
import { Empty, Show, useApi, yesNo } from '../components';
import { navigate, type Route } from '../route';
import { FarmRewards } from '../rewards';
import type { Farm } from '../types';
import { NodeTable, nodesQuery } from './nodes';

const PAGE_SIZE = 20;

export function FarmsPage({ route }: { route: Route }) {
  const p = route.params;
  const page = Number(p.get('page') ?? 1);
  const q: Record<string, string> = { size: String(PAGE_SIZE), ret_count: 'true' };
  for (const [k, v] of p) if (v !== '') q[k] = v;
  const loaded = useApi<Farm[]>('/farms', q, ['farm']);
  const go = (key: string, value: string) => {
    const n = new URLSearchParams(p);
    if (value) n.set(key, value);
    else n.delete(key);
    if (key !== 'page') n.delete('page');
    navigate('/farms', n);
  };
  return (
    <section aria-labelledby="farms-title">
      <h1 id="farms-title">Farms</h1>
      <form class="filters" aria-label="Farm filters" onSubmit={(e) => e.preventDefault()}>
        <label class="field">
          <span>Name contains</span>
          <input
            name="name_contains"
            type="text"
            value={p.get('name_contains') ?? ''}
            onChange={(e) => go('name_contains', (e.currentTarget as HTMLInputElement).value.trim())}
          />
        </label>
      </form>
      <Show
        loaded={loaded}
        what="farms"
        ok={(farms, count) => {
          const pages = Math.max(1, Math.ceil((count ?? farms.length) / PAGE_SIZE));
          return farms.length === 0 ? (
            <Empty>No farm matches.</Empty>
          ) : (
            <>
              <div class="table-wrap" tabIndex={0} role="region" aria-label="Farm table">
                <table class="farms">
                  <caption>Farms: {count ?? farms.length}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Farm</th>
                      <th scope="col">Name</th>
                      <th scope="col">Twin</th>
                      <th scope="col">Certification</th>
                      <th scope="col">Dedicated</th>
                      <th scope="col">Public IPs (free)</th>
                      <th scope="col">Pricing policy</th>
                    </tr>
                  </thead>
                  <tbody>
                    {farms.map((f) => (
                      <tr key={f.farmId} data-farm-id={f.farmId}>
                        <td>
                          <a href={`#/farms/${f.farmId}`}>{f.farmId}</a>
                        </td>
                        <td>
                          <a href={`#/farms/${f.farmId}`}>{f.name}</a>
                        </td>
                        <td>{f.twinId}</td>
                        <td>{f.certificationType}</td>
                        <td>{yesNo(f.dedicated)}</td>
                        <td>
                          {f.publicIps.length} ({f.publicIps.filter((i) => i.contract_id === 0).length})
                        </td>
                        <td>{f.pricingPolicyId}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {pages > 1 && (
                <nav class="pager" aria-label="Pages">
                  <button type="button" disabled={page <= 1} onClick={() => go('page', String(page - 1))}>
                    Previous
                  </button>
                  <span>
                    Page {page} of {pages}
                  </span>
                  <button type="button" disabled={page >= pages} onClick={() => go('page', String(page + 1))}>
                    Next
                  </button>
                </nav>
              )}
            </>
          );
        }}
      />
    </section>
  );
}

export function FarmPage({ id, route }: { id: number; route: Route }) {
  const loaded = useApi<Farm>(`/farms/${id}`, {}, ['farm']);
  return (
    <section aria-labelledby="farm-title">
      <Show
        loaded={loaded}
        what={`farm ${id}`}
        ok={(f) => (
          <>
            <h1 id="farm-title">
              Farm {f.farmId}: {f.name}
            </h1>
            <div class="grid2">
              <section class="card" aria-labelledby="policy-title">
                <h2 id="policy-title">Policy</h2>
                <dl class="facts">
                  <div>
                    <dt>Twin</dt>
                    <dd>{f.twinId}</dd>
                  </div>
                  <div>
                    <dt>Certification</dt>
                    <dd>{f.certificationType}</dd>
                  </div>
                  <div>
                    <dt>Dedicated</dt>
                    <dd>{yesNo(f.dedicated)}</dd>
                  </div>
                  <div>
                    <dt>Pricing policy</dt>
                    <dd>{f.pricingPolicyId}</dd>
                  </div>
                  <div>
                    <dt>Payout address</dt>
                    <dd class="wrap">{f.stellarAddress || '—'}</dd>
                  </div>
                </dl>
              </section>
              <section class="card" aria-labelledby="ips-title">
                <h2 id="ips-title">Public IPs</h2>
                {f.publicIps.length === 0 ? (
                  <Empty>The farm has no public IP.</Empty>
                ) : (
                  <div class="table-wrap" tabIndex={0} role="region" aria-label="Public IP list">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">IP</th>
                          <th scope="col">Gateway</th>
                          <th scope="col">Used by</th>
                        </tr>
                      </thead>
                      <tbody>
                        {f.publicIps.map((i) => (
                          <tr key={i.id}>
                            <td>{i.ip}</td>
                            <td>{i.gateway}</td>
                            <td>{i.contract_id ? `contract ${i.contract_id}` : 'free'}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </section>
            </div>
            <section class="card" aria-labelledby="farm-nodes-title">
              <h2 id="farm-nodes-title">Nodes</h2>
              <NodeTable
                query={{ ...nodesQuery(route.params), farm_ids: String(f.farmId) }}
                params={route.params}
                caption={`Nodes of farm ${f.farmId}`}
                base={`/farms/${f.farmId}`}
              />
            </section>
            <section class="card" aria-labelledby="farm-rewards-title">
              <h2 id="farm-rewards-title">Farming rewards</h2>
              <FarmRewards farmId={f.farmId} />
            </section>
          </>
        )}
      />
    </section>
  );
}
