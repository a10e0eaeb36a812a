/**
 * The house plan's arrows (README.md, "Folders"; ../shared/DESIGN.md): each room of src/ imports only the rooms below it, and no files
 * import each other, directly or round a longer circle.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve('src');

/** What each room may import besides itself. `config` is src/config.ts, the one validated configuration. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  music: [],
  analysis: ['music'],
  tokens: ['music', 'analysis'],
  text: ['music', 'tokens', 'analysis'],
  dataset: ['music', 'tokens', 'text', 'analysis'],
  inference: ['music', 'tokens', 'text', 'analysis', 'config'],
  render: ['music'],
  store: ['music', 'tokens'],
  queue: ['store', 'config'],
  jobs: ['inference', 'render', 'store', 'queue', 'text', 'tokens', 'music', 'analysis', 'config'],
  commands: ['jobs', 'queue', 'store', 'text', 'tokens', 'music', 'config'],
  bot: ['commands', 'jobs', 'queue', 'store', 'config'],
  eval: ['music', 'tokens', 'text', 'analysis', 'dataset', 'inference', 'render', 'store', 'queue', 'jobs', 'config'],
  cli: ['*'],
  config: [],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The room of a file: its first folder under src/, or its name for a file at the top (config, cli). */
export function roomOf(file: string): string {
  const [first, ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length ? first : path.basename(first, '.ts');
}

/** The files of ours a file imports (static, dynamic and re-exports; type-only imports count too). */
export function importsOf(file: string, source = readFileSync(file, 'utf8')): string[] {
  const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]);
  return specifiers.map((specifier) => path.resolve(path.dirname(file), specifier));
}

/** Circles in the import graph: each a list of files where every one imports the next and the last the first. */
export function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const circles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    trail.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') circles.push(trail.slice(trail.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    trail.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return circles;
}

describe('the rooms of src/', () => {
  const files = sourceFiles(SRC);
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  const show = (file: string) => path.relative(SRC, file);

  it('every file lives in a known room', () => {
    expect(files.map(roomOf).filter((room) => !(room in MAY_IMPORT))).toEqual([]);
  });

  it('imports only go down the house plan', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const room = roomOf(file);
      const allowed = MAY_IMPORT[room] ?? [];
      for (const target of targets) {
        const targetRoom = roomOf(target);
        if (targetRoom !== room && !allowed.includes('*') && !allowed.includes(targetRoom)) upward.push(`${show(file)} -> ${show(target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('no files import each other, directly or round a circle', () => {
    expect(importCircles(graph).map((circle) => circle.map(show).join(' -> '))).toEqual([]);
  });

  it('the checks see imports and circles (they would catch a broken house)', () => {
    const a = path.join(SRC, 'music', 'a.ts');
    expect(importsOf(a, "import { x } from '../tokens/vocab.ts';\nexport * from './b.ts';\nconst m = await import('../text/prompt.ts');"))
      .toEqual([path.join(SRC, 'tokens/vocab.ts'), path.join(SRC, 'music/b.ts'), path.join(SRC, 'text/prompt.ts')]);
    expect(roomOf(path.join(SRC, 'config.ts'))).toBe('config');
    const circle = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(importCircles(circle)).toEqual([['a', 'b', 'c']]);
    expect(importCircles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });
});
