// The agent is reached through its entry points: its tests and benchmarks import src (the entry
// point), a folder's index (src/workloads, src/gateway/acme, …) or the test kit, never a file
// inside a folder; the other packages and the scripts import `@tfgrid/agent`, never a path in its src.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { importsIntoFiles, importsOf, sourceFiles } from '@tfgrid/testkit';

const AGENT = resolve(__dirname, '..');
const SRC = join(AGENT, 'src');
const ROOT = resolve(AGENT, '../..');

describe('agent entry points', () => {
  it("is reached by its tests and benchmarks through src or a folder's index, never a file inside", () => {
    const intoFiles = importsIntoFiles([...sourceFiles(join(AGENT, 'test')), ...sourceFiles(join(AGENT, 'bench'))], SRC, AGENT);
    expect(intoFiles).toEqual([]);
  });

  it('is reached by the other packages and the scripts through @tfgrid/agent, never its src', () => {
    const dirs = readdirSync(join(ROOT, 'packages'))
      .filter((p) => p !== 'agent')
      .flatMap((p) => ['src', 'test', 'bench'].map((d) => join(ROOT, 'packages', p, d)));
    const deep: string[] = [];
    for (const file of [...dirs, join(ROOT, 'scripts')].filter(existsSync).flatMap(sourceFiles)) {
      for (const spec of importsOf(file)) if (spec.startsWith('@tfgrid/agent/src')) deep.push(`${relative(ROOT, file)} imports ${spec}`);
    }
    expect(deep).toEqual([]);
  });
});
