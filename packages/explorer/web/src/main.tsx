/** The TF Grid Explorer page: a header with the pages, the live stream's banner, the routed page. */
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { startStream, useStreamState } from './live';
import { FarmPage, FarmsPage } from './pages/farms';
import { LivePage } from './pages/live';
import { NodePage } from './pages/node';
import { NodesPage } from './pages/nodes';
import { StatsPage } from './pages/stats';
import { useRoute, type Route } from './route';
import './style.css';

const PAGES = [
  ['nodes', 'Nodes'],
  ['farms', 'Farms'],
  ['stats', 'Statistics'],
  ['live', 'Live'],
] as const;

function StreamBanner() {
  const state = useStreamState();
  if (state !== 'down') return null;
  return (
    <div class="banner" role="alert">
      Live updates are interrupted: the explorer's event stream is down. Reconnecting…
    </div>
  );
}

function NotFound({ what }: { what: string }) {
  return (
    <section>
      <h1>Not found</h1>
      <p class="error" role="alert">
        There is no page {what}. <a href="#/nodes">See the nodes</a>.
      </p>
    </section>
  );
}

const isId = (s: string | undefined): s is string => s !== undefined && /^\d{1,10}$/.test(s);

function Page({ route }: { route: Route }) {
  const [page = 'nodes', id, extra] = route.parts;
  if (extra !== undefined) return <NotFound what={location.hash} />;
  if (page === 'nodes')
    return id === undefined ? (
      <NodesPage route={route} />
    ) : isId(id) ? (
      <NodePage key={id} id={Number(id)} />
    ) : (
      <NotFound what={location.hash} />
    );
  if (page === 'farms')
    return id === undefined ? (
      <FarmsPage route={route} />
    ) : isId(id) ? (
      <FarmPage key={id} id={Number(id)} route={route} />
    ) : (
      <NotFound what={location.hash} />
    );
  if (page === 'stats' && id === undefined) return <StatsPage />;
  if (page === 'live' && id === undefined) return <LivePage />;
  return <NotFound what={location.hash} />;
}

function App() {
  const route = useRoute();
  const current = route.parts[0] ?? 'nodes';
  useEffect(() => startStream(), []);
  useEffect(() => {
    const name = PAGES.find(([p]) => p === current)?.[1] ?? 'Explorer';
    document.title = `${route.parts[1] ? `${name.replace(/s$/, '')} ${route.parts[1]}` : name} · TF Grid Explorer`;
  }, [route]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header>
        <a class="brand" href="#/nodes">
          TF Grid Explorer
        </a>
        <nav aria-label="Pages">
          {PAGES.map(([p, label]) => (
            <a key={p} href={`#/${p}`} aria-current={current === p ? 'page' : undefined}>
              {label}
            </a>
          ))}
          <a href="/swagger">API</a>
        </nav>
      </header>
      <StreamBanner />
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
