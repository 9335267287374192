/**
 * Process and layer boundaries as a lint rule (DESIGN.md section 2), resolved on real paths so a
 * new domain folder is covered without editing this file:
 *  - the DB worker (src/main/db) imports only src/shared, itself, node and packages (no Electron);
 *  - main-thread code imports worker modules as types only, except db/client.ts, the main
 *    thread's handle on the worker;
 *  - a domain never imports core/ (core composes domains); only the hosts do.
 */
import { dirname, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const MAIN = resolve(ROOT, 'src/main');
const DB = resolve(MAIN, 'db');
const SHARED = resolve(ROOT, 'src/shared');
const CORE = resolve(MAIN, 'core');
/** Files allowed to import core/: the hosts that start it. */
const HOSTS = [resolve(MAIN, 'index.ts'), resolve(MAIN, 'web.ts'), resolve(MAIN, 'web'), resolve(MAIN, 'electron')];
const WORKER_HANDLES = [resolve(DB, 'client')];

const inside = (file, dir) => file === dir || file.startsWith(dir + sep);
const stripExt = (file) => file.replace(/\.(ts|tsx|js|mjs)$/, '').replace(/[/\\]index$/, '');

function target(fromFile, spec) {
  if (spec.startsWith('@shared')) return resolve(SHARED, spec.slice('@shared'.length).replace(/^\//, ''));
  if (spec.startsWith('.')) return stripExt(resolve(dirname(fromFile), spec));
  return null;
}

function typeOnly(node) {
  if (node.importKind === 'type' || node.exportKind === 'type') return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type');
}

const rule = {
  meta: { type: 'problem', schema: [], messages: { boundary: '{{reason}}' } },
  create(context) {
    const file = context.filename;
    if (!inside(file, MAIN) || /\.test\.tsx?$/.test(file)) return {};
    const check = (node) => {
      if (!node.source || typeof node.source.value !== 'string') return;
      const spec = node.source.value;
      const to = target(file, spec);
      const report = (reason) => context.report({ node, messageId: 'boundary', data: { reason } });
      if (inside(file, DB)) {
        if (spec === 'electron') report('The DB worker never imports electron.');
        else if (to && !inside(to, DB) && !inside(to, SHARED)) {
          report(`The DB worker (src/main/db) imports only src/shared and itself, not ${relative(ROOT, to)}.`);
        }
        return;
      }
      if (!to) return;
      if (inside(to, DB) && !WORKER_HANDLES.some((h) => to === h) && !typeOnly(node)) {
        report(`Main-thread code imports worker modules as types only (${relative(ROOT, to)}); call the worker through DbClient.`);
      }
      if (inside(to, CORE) && !inside(file, CORE) && !HOSTS.some((h) => inside(file, h) || stripExt(file) === stripExt(h))) {
        report('A domain never imports core/: core composes domains. Put shared types in src/main/kit.');
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

export default { rules: { 'layers': rule } };
