// The client's folders form layers: each imports only the folders below it, so there is no circle
// between folders and the source reads top (the entry files: index, light, client) to bottom
// (the chain vocabulary, IPv4 and WireGuard helpers).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(__dirname, '../src');
const TEST = __dirname;

/** Every folder of src, top to bottom; a folder may import the folders after it, never those before it. */
const LAYERS = [
  '.',
  // Private network planning: builds the network workload data the deployment folder checks.
  'network',
  'deployment',
  'modules',
  'tx',
  'events',
  'link',
  'chain',
  // IPv4 networks and WireGuard keys, shared by the planner and the deployment checks.
  'net',
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The folder of src a file is in ('.' for the files at the top), with `/` between names. */
function folderOf(file: string): string {
  return relative(SRC, dirname(file)).split(sep).join('/') || '.';
}

/** The file an import names: `./x` is x.ts, or x/index.ts when x is a folder. */
function importedFile(from: string, spec: string): string {
  const path = resolve(dirname(from), spec);
  return existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.ts') : `${path}.ts`;
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;

/** folder → folder → one import that makes the edge (for the failure message). */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = folderOf(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = folderOf(importedFile(file, m[1] ?? m[2]!));
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      graph.get(from)!.set(to, `${relative(SRC, file)} imports ${m[1] ?? m[2]}`);
    }
  }
  return graph;
}

describe('client layers', () => {
  const graph = folderGraph();

  it('knows every folder of src', () => {
    const folders = new Set(sourceFiles(SRC).map(folderOf));
    expect([...folders].filter((f) => !LAYERS.includes(f))).toEqual([]);
  });

  it('imports only downwards', () => {
    const upward: string[] = [];
    for (const [from, edges] of graph) {
      for (const [to, why] of edges) {
        if (LAYERS.indexOf(to) <= LAYERS.indexOf(from)) upward.push(`${from} → ${to}: ${why}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no circle between folders', () => {
    const circles: string[] = [];
    const visit = (folder: string, path: string[]): void => {
      for (const next of graph.get(folder)?.keys() ?? []) {
        if (next === path[0]) circles.push([...path, next].join(' → '));
        else if (!path.includes(next)) visit(next, [...path, next]);
      }
    };
    for (const folder of graph.keys()) visit(folder, [folder]);
    expect(circles).toEqual([]);
  });

  it("is reached by tests through the entry point or a folder's index, never a file inside", () => {
    const intoFiles: string[] = [];
    for (const file of sourceFiles(TEST)) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = m[1] ?? m[2]!;
        const path = resolve(dirname(file), spec);
        if (!path.startsWith(SRC)) continue;
        if (!(existsSync(path) && statSync(path).isDirectory())) intoFiles.push(`${relative(TEST, file)} imports ${spec}`);
      }
    }
    expect(intoFiles).toEqual([]);
  });

  it('breaks no circle with require()', () => {
    const requires = sourceFiles(SRC).filter((f) => /\brequire\(/.test(readFileSync(f, 'utf8')));
    expect(requires.map((f) => relative(SRC, f))).toEqual([]);
  });
});
