/**
 * The store's layering, checked on the source: slices (features/<domain>/store.ts and the other
 * slice files they pull in) and named actions (actions.ts) form no cycle of value imports, and a
 * slice never imports an action (actions sit above the slices). Type-only imports are free: they
 * vanish at build time, which is how slices see AppState without depending on each other.
 */
import { describe, expect, it } from 'vitest';

const ROOT = '/src/renderer/src/';
const sources = import.meta.glob<string>(
  ['/src/renderer/src/**/*.ts', '/src/renderer/src/**/*.tsx', '!**/*.test.ts', '!**/*.test.tsx'],
  { query: '?raw', import: 'default', eager: true },
);

/** 'src/renderer/src'-relative paths, e.g. 'features/chat/store.ts'. */
const files = new Map(Object.entries(sources).map(([key, text]) => [key.slice(ROOT.length), text]));

function normalize(parts: string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    if (part === '..') out.pop();
    else if (part !== '.' && part !== '') out.push(part);
  }
  return out.join('/');
}

function resolve(from: string, specifier: string): string | null {
  const base = normalize([...from.split('/').slice(0, -1), ...specifier.split('/')]);
  return [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((candidate) => files.has(candidate)) ?? null;
}

/** Relative imports and re-exports that load a module at runtime (`import type` and `export type` do not). */
function valueImports(file: string, text: string): string[] {
  const statements =
    /^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+['"](\.[^'"]+)['"]|^\s*import\s+['"](\.[^'"]+)['"]/gm;
  const found: string[] = [];
  for (const match of text.matchAll(statements)) {
    if (match[2]) continue;
    const target = resolve(file, match[3] ?? match[4]!);
    if (target && !target.endsWith('.css')) found.push(target);
  }
  return found;
}

const graph = new Map([...files].map(([file, text]) => [file, valueImports(file, text)]));
const isStoreModule = (file: string) => /(^|\/)(store|actions)\.ts$/.test(file);
const roots = [...files.keys()].filter(isStoreModule);

/** A cycle reachable from `roots`, as the path that closes it, or null. */
function findCycle(): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): string[] | null => {
    if (state.get(file) === 'done') return null;
    if (state.get(file) === 'open') return [...path.slice(path.indexOf(file)), file];
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(file, 'done');
    return null;
  };
  for (const root of roots) {
    const cycle = visit(root);
    if (cycle) return cycle;
  }
  return null;
}

describe('store layering', () => {
  it('finds the slices and actions it checks', () => {
    expect(roots).toEqual(
      expect.arrayContaining(['app/store.ts', 'features/sessions/store.ts', 'features/chat/actions.ts']),
    );
    expect(graph.get('features/sessions/actions.ts')).toContain('features/workspace/actions.ts');
  });

  it('has no cycle of value imports among the stores and actions', () => {
    expect(findCycle()).toBeNull();
  });

  it('keeps slices below actions: no store.ts imports an actions.ts, even indirectly', () => {
    const reaches = (from: string, seen = new Set<string>()): Set<string> => {
      for (const next of graph.get(from) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        reaches(next, seen);
      }
      return seen;
    };
    const slices = roots.filter((file) => file.startsWith('features/') && file.endsWith('/store.ts'));
    const offenders = slices.flatMap((slice) =>
      [...reaches(slice)].filter((file) => file.endsWith('/actions.ts')).map((action) => `${slice} -> ${action}`),
    );
    expect(offenders).toEqual([]);
  });
});
