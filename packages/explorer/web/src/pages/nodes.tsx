/**
 * Nodes: the API's filters as controls. The URL's query is the API's query (`#/nodes?status=up&
 * free_mru=…`), so a link reproduces the view and a value the API refuses is shown in its words.
 */
import type { ComponentChildren } from 'preact';
import { ErrorBox, Loading, StatusBadge, useApi, Empty } from '../components';
import { bytesToGib, gibToBytes, percent, size } from '../format';
import { navigate, type Route } from '../route';
import type { Node } from '../types';

const PAGE_SIZE = 20;
const FILTERS = [
  'status',
  'free_cru',
  'free_mru',
  'free_sru',
  'free_hru',
  'country',
  'farm_ids',
  'rentable',
  'rented',
  'dedicated',
  'ipv4',
  'certification_type',
  'min_reputation_24h',
  'min_reputation_7d',
  'min_reputation_30d',
] as const;

/** The API query of the view: its filters, sort and page as the URL holds them. */
export function nodesQuery(params: URLSearchParams): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of params) if (v !== '') q[k] = v;
  return { size: String(PAGE_SIZE), ...q, ret_count: 'true' };
}

function set(params: URLSearchParams, key: string, value: string | undefined, base = '/nodes'): void {
  const p = new URLSearchParams(params);
  if (value === undefined || value === '') p.delete(key);
  else p.set(key, value);
  if (key !== 'page') p.delete('page');
  navigate(base, p);
}

const target = (e: Event) => e.currentTarget as HTMLInputElement & HTMLSelectElement;

function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

function YesNo({ name, label, params }: { name: string; label: string; params: URLSearchParams }) {
  return (
    <Field label={label}>
      <select name={name} value={params.get(name) ?? ''} onChange={(e) => set(params, name, target(e).value)}>
        <option value="">any</option>
        <option value="true">yes</option>
        <option value="false">no</option>
      </select>
    </Field>
  );
}

/** A size filter shown in GiB, kept in the URL as the API's bytes. */
function GiBInput({ name, label, params }: { name: string; label: string; params: URLSearchParams }) {
  const raw = params.get(name);
  const shown = raw === null ? '' : /^\d+$/.test(raw) ? String(bytesToGib(Number(raw))) : raw;
  return (
    <Field label={`${label} free (GiB)`}>
      <input
        name={name}
        type="number"
        min="0"
        step="any"
        inputMode="decimal"
        value={shown}
        onChange={(e) => {
          const v = target(e).value;
          set(params, name, v === '' ? undefined : String(gibToBytes(Number(v))));
        }}
      />
    </Field>
  );
}

function Text({ name, label, params, hint }: { name: string; label: string; params: URLSearchParams; hint?: string }) {
  return (
    <Field label={label}>
      <input
        name={name}
        type="text"
        value={params.get(name) ?? ''}
        placeholder={hint}
        onChange={(e) => set(params, name, target(e).value.trim())}
      />
    </Field>
  );
}

/** A reputation filter in percent; the API takes a ratio 0..1. */
function Reputation({ name, label, params }: { name: string; label: string; params: URLSearchParams }) {
  const raw = params.get(name);
  const shown = raw === null ? '' : Number.isFinite(Number(raw)) ? String(Math.round(Number(raw) * 1000) / 10) : raw;
  return (
    <Field label={`Reputation ${label} ≥ (%)`}>
      <input
        name={name}
        type="number"
        min="0"
        max="100"
        step="any"
        value={shown}
        onChange={(e) => {
          const v = target(e).value;
          set(params, name, v === '' ? undefined : String(Number(v) / 100));
        }}
      />
    </Field>
  );
}

function StatusFilter({ params }: { params: URLSearchParams }) {
  const chosen = new Set((params.get('status') ?? '').split(',').filter(Boolean));
  const toggle = (s: string, on: boolean) => {
    if (on) chosen.add(s);
    else chosen.delete(s);
    set(params, 'status', [...chosen].join(','));
  };
  return (
    <fieldset class="field status-filter">
      <legend>Status</legend>
      {(['up', 'standby', 'down'] as const).map((s) => (
        <label key={s} class="check">
          <input type="checkbox" name={`status-${s}`} checked={chosen.has(s)} onChange={(e) => toggle(s, target(e).checked)} /> {s}
        </label>
      ))}
    </fieldset>
  );
}

const COLUMNS: { label: string; sort?: string; cell: (n: Node) => ComponentChildren }[] = [
  { label: 'Node', sort: 'node_id', cell: (n) => <a href={`#/nodes/${n.nodeId}`}>{n.nodeId}</a> },
  { label: 'Farm', sort: 'farm_id', cell: (n) => <a href={`#/farms/${n.farmId}`}>{n.farmName || n.farmId}</a> },
  { label: 'Status', sort: 'status', cell: (n) => <StatusBadge status={n.status} /> },
  { label: 'Country', sort: 'country', cell: (n) => (n.location.country || '—') + (n.location.city ? `, ${n.location.city}` : '') },
  { label: 'CPU', sort: 'total_cru', cell: (n) => `${n.free_resources.cru} / ${n.total_resources.cru} free` },
  { label: 'Memory', sort: 'free_mru', cell: (n) => `${size(n.free_resources.mru)} / ${size(n.total_resources.mru)}` },
  { label: 'SSD', sort: 'free_sru', cell: (n) => `${size(n.free_resources.sru)} / ${size(n.total_resources.sru)}` },
  { label: 'HDD', sort: 'free_hru', cell: (n) => `${size(n.free_resources.hru)} / ${size(n.total_resources.hru)}` },
  { label: 'Public IP', cell: (n) => (n.publicConfig.ipv4 ? n.publicConfig.ipv4 : 'no') },
  { label: 'Certification', cell: (n) => n.certificationType },
  { label: 'Rent', sort: 'rentable', cell: (n) => (n.rented ? `rented by twin ${n.rentedByTwinId}` : n.rentable ? 'rentable' : '—') },
  { label: 'Reputation 24 h', sort: 'reputation_24h', cell: (n) => percent(n.reputation.last_24h) },
];

function Header({ col, params, base }: { col: (typeof COLUMNS)[number]; params: URLSearchParams; base: string }) {
  if (!col.sort) return <th scope="col">{col.label}</th>;
  const active = params.get('sort_by') === col.sort;
  const desc = active && params.get('sort_order') === 'desc';
  const sortBy = (order: string) => {
    const p = new URLSearchParams(params);
    p.set('sort_by', col.sort!);
    p.set('sort_order', order);
    p.delete('page');
    navigate(base, p);
  };
  return (
    <th scope="col" aria-sort={active ? (desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="sort" onClick={() => sortBy(active && !desc ? 'desc' : 'asc')} aria-label={`Sort by ${col.label}`}>
        {col.label} <span aria-hidden="true">{active ? (desc ? '▼' : '▲') : '↕'}</span>
      </button>
    </th>
  );
}

/** A page of nodes; its sort and page links stay on `base` (the Nodes page, a farm's page). */
export function NodeTable({
  query,
  params,
  caption,
  base = '/nodes',
}: {
  query: Record<string, string>;
  params: URLSearchParams;
  caption: string;
  base?: string;
}) {
  const loaded = useApi<Node[]>('/nodes', query, ['node', 'uptime', 'contract']);
  if (loaded.state === 'loading') return <Loading what="nodes" />;
  if (loaded.state === 'error') return <ErrorBox message={loaded.message} />;
  const nodes = loaded.data;
  const count = loaded.count ?? nodes.length;
  const page = Number(query.page ?? 1);
  const pages = Math.max(1, Math.ceil(count / Number(query.size ?? PAGE_SIZE)));
  return (
    <>
      {nodes.length === 0 ? (
        <Empty>No node matches these filters.</Empty>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={`${caption} table`}>
          <table class="nodes">
            <caption>
              {caption}: {count} node{count === 1 ? '' : 's'}
            </caption>
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <Header key={c.label} col={c} params={params} base={base} />
                ))}
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => (
                <tr key={n.nodeId} data-node-id={n.nodeId}>
                  {COLUMNS.map((c) => (
                    <td key={c.label} data-label={c.label}>
                      {c.cell(n)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav class="pager" aria-label="Pages">
          <button type="button" disabled={page <= 1} onClick={() => set(params, 'page', String(page - 1), base)}>
            Previous
          </button>
          <span>
            Page {page} of {pages}
          </span>
          <button type="button" disabled={page >= pages} onClick={() => set(params, 'page', String(page + 1), base)}>
            Next
          </button>
        </nav>
      )}
    </>
  );
}

export function NodesPage({ route }: { route: Route }) {
  const params = route.params;
  const active = FILTERS.some((f) => params.has(f));
  return (
    <section aria-labelledby="nodes-title">
      <h1 id="nodes-title">Nodes</h1>
      <form class="filters" aria-label="Node filters" onSubmit={(e) => e.preventDefault()}>
        <StatusFilter params={params} />
        <Field label="Free cores">
          <input
            name="free_cru"
            type="number"
            min="0"
            step="1"
            value={params.get('free_cru') ?? ''}
            onChange={(e) => set(params, 'free_cru', target(e).value)}
          />
        </Field>
        <GiBInput name="free_mru" label="Memory" params={params} />
        <GiBInput name="free_sru" label="SSD" params={params} />
        <GiBInput name="free_hru" label="HDD" params={params} />
        <Text name="country" label="Country" params={params} hint="Belgium" />
        <Text name="farm_ids" label="Farm ids" params={params} hint="1,2" />
        <YesNo name="rentable" label="Rentable" params={params} />
        <YesNo name="rented" label="Rented" params={params} />
        <YesNo name="dedicated" label="Dedicated farm" params={params} />
        <YesNo name="ipv4" label="Public IPv4" params={params} />
        <Field label="Certification">
          <select
            name="certification_type"
            value={params.get('certification_type') ?? ''}
            onChange={(e) => set(params, 'certification_type', target(e).value)}
          >
            <option value="">any</option>
            <option value="Diy">DIY</option>
            <option value="Certified">Certified</option>
          </select>
        </Field>
        <Reputation name="min_reputation_24h" label="24 h" params={params} />
        <Reputation name="min_reputation_7d" label="7 d" params={params} />
        <Reputation name="min_reputation_30d" label="30 d" params={params} />
        {active && (
          <button type="button" class="reset" onClick={() => navigate('/nodes')}>
            Clear filters
          </button>
        )}
      </form>
      <NodeTable query={nodesQuery(params)} params={params} caption="Nodes" />
    </section>
  );
}
