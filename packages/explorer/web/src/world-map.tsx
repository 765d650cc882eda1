/**
 * The world map from the bundled TopoJSON (world-atlas, 1:110m), projected to SVG paths once:
 * countries shaded by their node count, nodes with coordinates as dots. No tiles, no network.
 */
import { geoNaturalEarth1, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries110m from 'world-atlas/countries-110m.json';

const W = 960;
const H = 500;
const projection = geoNaturalEarth1().fitSize([W, H], { type: 'Sphere' });
const path = geoPath(projection);

type Country = { name: string; d: string };
let shapes: Country[] | null = null;
function countryShapes(): Country[] {
  if (shapes) return shapes;
  const topo = countries110m as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const fc = feature(topo, topo.objects.countries);
  shapes = fc.features.map((f) => ({ name: f.properties?.name ?? '', d: path(f) ?? '' }));
  return shapes;
}

/** Names the atlas spells otherwise than nodes register them. */
const ALIASES: Record<string, string> = {
  'united states': 'united states of america',
  usa: 'united states of america',
  'czech republic': 'czechia',
  uk: 'united kingdom',
};
const norm = (n: string) => {
  const l = n.trim().toLowerCase();
  return ALIASES[l] ?? l;
};

export function WorldMap({
  byCountry,
  points,
}: {
  byCountry: Record<string, number>;
  points: { lon: number; lat: number; label: string }[];
}) {
  const counts = new Map<string, number>();
  for (const [c, n] of Object.entries(byCountry)) counts.set(norm(c), (counts.get(norm(c)) ?? 0) + n);
  const max = Math.max(1, ...counts.values());
  const listed = Object.entries(byCountry).sort((a, b) => b[1] - a[1]);
  return (
    <figure class="map">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`World map of nodes: ${listed.map(([c, n]) => `${c} ${n}`).join(', ') || 'no node located'}`}
      >
        <path class="sphere" d={path({ type: 'Sphere' }) ?? ''} />
        {countryShapes().map((c, i) => {
          const n = counts.get(norm(c.name)) ?? 0;
          return (
            <path
              key={i}
              class={n ? 'country has-nodes' : 'country'}
              d={c.d}
              style={n ? { fillOpacity: 0.35 + (0.65 * n) / max } : undefined}
            >
              <title>{n ? `${c.name}: ${n} node${n === 1 ? '' : 's'}` : c.name}</title>
            </path>
          );
        })}
        {points.map((p, i) => {
          const xy = projection([p.lon, p.lat]);
          return xy ? (
            <circle key={i} class="node-dot" cx={xy[0]} cy={xy[1]} r={4}>
              <title>{p.label}</title>
            </circle>
          ) : null;
        })}
      </svg>
      <figcaption>{listed.length === 0 ? 'No node has a country yet.' : listed.map(([c, n]) => `${c}: ${n}`).join(' · ')}</figcaption>
    </figure>
  );
}
