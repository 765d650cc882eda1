/**
 * A package's source folders as layers: every folder of `src` listed top to bottom, each importing
 * only the folders after it (so no circle between folders), reached by its tests through the entry
 * point or a folder's index, and no `require()` holding a circle together. `describeLayers` is the
 * one suite every package's layers test runs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** Every `.ts` file under `dir`. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s*'([^']+)'|(?:import|require)\(\s*'([^']+)'\s*\)/g;

/** What `file` imports (static, dynamic and require), as written. */
export function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => m[1] ?? m[2]!);
}

/** The imports in `files` that name a file inside `src` rather than `src` itself or a folder's index. */
export function importsIntoFiles(files: string[], src: string, base: string): string[] {
  const out: string[] = [];
  for (const file of files) {
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const path = resolve(dirname(file), spec);
      if (!path.startsWith(src)) continue;
      if (!(existsSync(path) && statSync(path).isDirectory())) out.push(`${relative(base, file)} imports ${spec}`);
    }
  }
  return out;
}

/** folder → folder → one import that makes the edge (for the failure message); '.' is src itself. */
function folderGraph(src: string): Map<string, Map<string, string>> {
  const folderOf = (file: string): string => relative(src, dirname(file)).split(sep).join('/') || '.';
  // `./x` is x.ts, or x/index.ts when x is a folder.
  const importedFile = (from: string, spec: string): string => {
    const path = resolve(dirname(from), spec);
    return existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.ts') : `${path}.ts`;
  };
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(src)) {
    const from = folderOf(file);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const to = folderOf(importedFile(file, spec));
      if (to !== from) graph.get(from)!.set(to, `${relative(src, file)} imports ${spec}`);
    }
  }
  return graph;
}

export interface LayersOptions {
  /** The package's `src`. */
  src: string;
  /** Its tests. */
  test: string;
  /** Every folder of src ('.' for src itself), top to bottom. */
  layers: string[];
}

/** The layers suite: a Jest describe block (call it from a test file). */
export function describeLayers(name: string, o: LayersOptions): void {
  describe(`${name} layers`, () => {
    const graph = folderGraph(o.src);

    it('knows every folder of src', () => {
      expect([...graph.keys()].filter((f) => !o.layers.includes(f))).toEqual([]);
    });

    it('imports only downwards', () => {
      const upward: string[] = [];
      for (const [from, edges] of graph)
        for (const [to, why] of edges) if (o.layers.indexOf(to) <= o.layers.indexOf(from)) upward.push(`${from} → ${to}: ${why}`);
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
      expect(importsIntoFiles(sourceFiles(o.test), o.src, o.test)).toEqual([]);
    });

    it('breaks no circle with require()', () => {
      // (A require of a package, loaded lazily for a fast start, joins no folders: only relative ones count.)
      const requires = sourceFiles(o.src).filter((f) => /\brequire\(\s*['"]\./.test(readFileSync(f, 'utf8')));
      expect(requires.map((f) => relative(o.src, f))).toEqual([]);
    });
  });
}
