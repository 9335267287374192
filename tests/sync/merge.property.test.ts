/**
 * The merge (confab_merge in migrations/0008) is a join: applying the same changes in any order,
 * any number of times, one at a time or as one batch, gives the same row, and that row is the one
 * a plain reference model computes (per column, the value with the greatest HLC). Checked with
 * fast-check on PGlite and on every real PostgreSQL the schema must run on, since the desktop's
 * applier and the server's sync.push run this same SQL.
 *
 * CONFAB_PROPERTY_RUNS raises the number of runs (npm run bench -- --sync uses more).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import { formatHlc } from '../../src/shared/sync/hlc';
import type { Db } from '../../src/main/db/database';
import { createSession } from '../../src/main/db/sessions/repository';
import { sql } from '../../src/main/db/sql';
import { openTestDb } from '../helpers/engines';
import { openMigratedServerDb, testServers } from '../helpers/servers';

const RUNS = Number(process.env.CONFAB_PROPERTY_RUNS ?? 25);
// A ceiling, not a speed check: 25 runs took 78 s on PGlite with the machine at load average 20.
const PROPERTY_TIMEOUT_MS = 300_000;

interface Engine {
  name: string;
  open(): Promise<{ db: Db; ownerId: string; close(): Promise<void> }>;
}
const engines: Engine[] = [
  { name: 'PGlite', open: () => openTestDb('pglite') },
  ...(await testServers()).map((server) => ({ name: server.name, open: () => openMigratedServerDb(server.url) })),
];

/** Distinct HLCs, one per change, so the model has no ties (ties are tested on their own). */
function hlcPool(size: number, seed: number): string[] {
  const nodes = ['000000000000000a', '000000000000000b', '000000000000000c'];
  return Array.from({ length: size }, (_, i) =>
    formatHlc({ ms: 1_800_000_000_000 + ((i * 7919 + seed) % 997) * 10 + i, counter: i % 3, node: nodes[i % 3]! }),
  );
}

/** Orders to apply a set of changes in: the first change (the row's creation) stays first. */
const orders = (n: number) =>
  fc.array(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: n, maxLength: n }), {
    minLength: 2,
    maxLength: 3,
  });

function permute<T>(first: T, rest: T[], keys: number[], duplicate: number): T[] {
  const shuffled = rest
    .map((r, i) => ({ r, k: keys[i] ?? i }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.r);
  const dup = shuffled.length ? [shuffled[duplicate % shuffled.length]!] : [];
  return [first, ...shuffled, ...dup, first];
}

async function merge(db: Db, table: string, rows: unknown[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(sql`SELECT confab_merge(${table}, ${JSON.stringify(rows)}::jsonb)`);
  });
}

const DELETED_AT = ['2026-01-05T00:00:00Z', '2026-02-05T00:00:00Z', null] as const;
const month = (iso: string | null) => (iso ? iso.slice(0, 7) : null);

describe.each(engines)('the merge on $name', (engine) => {
  let db: Db;
  let ownerId: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, ownerId, close } = await engine.open());
  });
  afterAll(async () => {
    await close?.();
  });

  it(
    'last-writer-wins columns (and settings per key): commutative, idempotent, convergent, equal to the model',
    { timeout: PROPERTY_TIMEOUT_MS },
    async () => {
      const change = fc.record({
        whole: fc.boolean(),
        title: fc.option(fc.constantFrom('a', 'b', 'c', 'Ünïcode'), { nil: undefined }),
        description: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
        deletedAt: fc.option(fc.constantFrom(...DELETED_AT), { nil: undefined }),
        settings: fc.option(
          fc.dictionary(fc.constantFrom('k1', 'k2', 'k3'), fc.option(fc.integer({ min: 0, max: 9 }), { nil: null })),
          {
            nil: undefined,
          },
        ),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(change, { minLength: 1, maxLength: 6 }),
          orders(6),
          fc.nat(),
          fc.nat(),
          async (changes, keyOrders, dup, seed) => {
            const pool = hlcPool(changes.length + 1, seed);
            const created = {
              title: 'start',
              description: '',
              deletedAt: null as string | null,
              settings: {} as Record<string, number>,
            };
            const creation = (id: string, h: string) => ({
              id,
              owner_id: ownerId,
              title: created.title,
              description: '',
              system_prompt: '',
              settings: {},
              visibility: 'private',
              deleted_at: null,
              col_hlc: { _: h } as Record<string, unknown>,
              created_at: '2026-01-01T00:00:00Z',
              updated_at: '2026-01-01T00:00:00Z',
            });
            const rowObject = (id: string, c: (typeof changes)[number] | null, h: string) => {
              if (!c) return creation(id, h);
              // A whole row: the creation's values and clock, with this change's columns on top.
              const o: Record<string, unknown> = c.whole
                ? { ...creation(id, pool[0]!), updated_at: '2026-01-02T00:00:00Z' }
                : { id };
              const hl: Record<string, unknown> = {};
              if (c.title !== undefined) {
                o.title = c.title;
                hl.title = h;
              }
              if (c.description !== undefined) {
                o.description = c.description;
                hl.description = h;
              }
              if (c.deletedAt !== undefined) {
                o.deleted_at = c.deletedAt;
                hl.deleted_at = h;
              }
              if (c.settings !== undefined) {
                o.settings = Object.fromEntries(Object.entries(c.settings).filter(([, v]) => v !== null));
                hl.settings = Object.fromEntries(Object.keys(c.settings).map((k) => [k, h]));
              }
              o.col_hlc = c.whole ? { _: pool[0], ...hl } : hl;
              return o;
            };
            // The model: per column (and per settings key), the value of the newest change naming it.
            const newest = <T>(pick: (c: (typeof changes)[number]) => T | undefined, initial: T): T => {
              let best = initial;
              let bestH = pool[0]!;
              changes.forEach((c, i) => {
                const v = pick(c);
                if (v !== undefined && pool[i + 1]! > bestH) {
                  best = v;
                  bestH = pool[i + 1]!;
                }
              });
              return best;
            };
            const settingsModel: Record<string, number> = {};
            for (const k of ['k1', 'k2', 'k3']) {
              const v = newest(
                (c) => (c.settings && k in c.settings ? c.settings[k] : undefined),
                null as number | null | undefined,
              );
              if (v !== null && v !== undefined) settingsModel[k] = v;
            }
            const expected = {
              title: newest((c) => c.title, created.title),
              description: newest((c) => c.description, created.description),
              deleted: month(newest((c) => c.deletedAt, created.deletedAt)),
              settings: settingsModel,
            };

            const results: unknown[] = [];
            const ids: string[] = [];
            for (const keys of keyOrders) {
              const id = uuidv7();
              ids.push(id);
              const objects = changes.map((c, i) => rowObject(id, c, pool[i + 1]!));
              for (const o of permute(rowObject(id, null, pool[0]!), objects, keys, dup))
                await merge(db, 'chat_sessions', [o]);
            }
            // And once as a single batch, with a duplicate in it.
            const batchId = uuidv7();
            ids.push(batchId);
            const batch = changes.map((c, i) => rowObject(batchId, c, pool[i + 1]!));
            await merge(db, 'chat_sessions', [rowObject(batchId, null, pool[0]!), ...batch, ...batch.slice(0, 1)]);

            for (const id of ids) {
              const [row] = await db.query<{
                title: string;
                description: string;
                deleted: string | null;
                settings: Record<string, number>;
                col_hlc: unknown;
              }>(sql`
            SELECT title, description, to_char(deleted_at AT TIME ZONE 'UTC', 'YYYY-MM') AS deleted, settings, col_hlc
              FROM chat_sessions WHERE id = ${id}`);
              const { col_hlc, ...values } = row!;
              expect(values).toEqual(expected);
              results.push(col_hlc);
            }
            // Every copy also ends with the same clocks.
            for (const r of results) expect(r).toEqual(results[0]);
          },
        ),
        { numRuns: RUNS },
      );
    },
  );

  it(
    'append-only rows: status under status_hlc, deletion under deleted_hlc, in any order',
    { timeout: PROPERTY_TIMEOUT_MS },
    async () => {
      const session = await createSession({ db, ownerId }, { title: 'Append-only' });
      const change = fc.oneof(
        fc.record({
          kind: fc.constant('status' as const),
          status: fc.constantFrom('streaming', 'complete', 'error', 'interrupted'),
          content: fc.constantFrom('', 'partial', 'final answer'),
        }),
        fc.record({ kind: fc.constant('delete' as const), deletedAt: fc.constantFrom(...DELETED_AT) }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(change, { minLength: 1, maxLength: 6 }),
          orders(6),
          fc.nat(),
          fc.nat(),
          async (changes, keyOrders, dup, seed) => {
            const pool = hlcPool(changes.length + 1, seed);
            const base = (id: string) => ({
              id,
              owner_id: ownerId,
              session_id: session.id,
              parent_id: null,
              role: 'assistant',
              content: '',
              content_type: 'text/markdown',
              status: 'pending',
              reasoning: '',
              tokens_estimated: false,
              deleted_at: null,
              origin_client: '000000000000000a',
              status_hlc: pool[0],
              deleted_hlc: pool[0],
              created_at: '2026-01-01T00:00:00Z',
              updated_at: '2026-01-01T00:00:00Z',
            });
            const objectOf = (id: string, c: (typeof changes)[number], h: string) =>
              c.kind === 'status'
                ? { ...base(id), status: c.status, content: c.content, status_hlc: h, deleted_hlc: null }
                : { id, deleted_at: c.deletedAt, deleted_hlc: h };
            let statusModel = { status: 'pending', content: '' };
            let statusH = pool[0]!;
            let deletedModel: string | null = null;
            let deletedH = pool[0]!;
            changes.forEach((c, i) => {
              const h = pool[i + 1]!;
              if (c.kind === 'status' && h > statusH) {
                statusModel = { status: c.status, content: c.content };
                statusH = h;
              }
              if (c.kind === 'delete' && h > deletedH) {
                deletedModel = c.deletedAt;
                deletedH = h;
              }
            });
            for (const keys of keyOrders) {
              const id = uuidv7();
              const objects = changes.map((c, i) => objectOf(id, c, pool[i + 1]!));
              for (const o of permute<object>(base(id), objects, keys, dup)) await merge(db, 'messages', [o]);
              const [row] = await db.query(sql`
            SELECT status, content, to_char(deleted_at AT TIME ZONE 'UTC', 'YYYY-MM') AS deleted, status_hlc, deleted_hlc
              FROM messages WHERE id = ${id}`);
              expect(row).toEqual({
                ...statusModel,
                deleted: month(deletedModel),
                status_hlc: statusH,
                deleted_hlc: deletedH,
              });
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
  );

  it(
    'tags: a tag is on when its newest add is newer than its newest remove, whatever the order',
    { timeout: PROPERTY_TIMEOUT_MS },
    async () => {
      const session = await createSession({ db, ownerId }, { title: 'Tags' });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }),
          orders(6),
          fc.nat(),
          fc.nat(),
          async (adds, keyOrders, dup, seed) => {
            const pool = hlcPool(adds.length, seed);
            const newestAdd = adds.reduce<string>((m, add, i) => (add && pool[i]! > m ? pool[i]! : m), '');
            const newestRemove = adds.reduce<string>((m, add, i) => (!add && pool[i]! > m ? pool[i]! : m), '');
            for (const [n, keys] of keyOrders.entries()) {
              const tag = `t${n}-${uuidv7().slice(-12)}`;
              const objects = adds.map((add, i) => ({
                session_id: session.id,
                owner_id: ownerId,
                tag,
                added_hlc: add ? pool[i] : null,
                removed_hlc: add ? null : pool[i],
                created_at: '2026-01-01T00:00:00Z',
                updated_at: '2026-01-01T00:00:00Z',
              }));
              for (const o of permute(objects[0]!, objects.slice(1), keys, dup)) await merge(db, 'session_tags', [o]);
              const [row] = await db.query<{ on: boolean }>(sql`
            SELECT confab_tag_is_on(added_hlc, removed_hlc) AS on FROM session_tags
             WHERE session_id = ${session.id} AND owner_id = ${ownerId} AND tag = ${tag}`);
              expect(row!.on).toBe(newestAdd !== '' && newestAdd > newestRemove);
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
  );

  it('breaks a tie of equal HLCs by value, so two copies never keep different values under one clock', async () => {
    const h = '001800000000000-00000-000000000000000a';
    const make = (id: string, title: string) => ({
      id,
      owner_id: ownerId,
      title,
      description: '',
      system_prompt: '',
      settings: {},
      visibility: 'private',
      deleted_at: null,
      col_hlc: { _: h },
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    });
    const [x, y] = [uuidv7(), uuidv7()];
    await merge(db, 'chat_sessions', [make(x, 'apple')]);
    await merge(db, 'chat_sessions', [make(x, 'banana')]);
    await merge(db, 'chat_sessions', [make(y, 'banana')]);
    await merge(db, 'chat_sessions', [make(y, 'apple')]);
    const rows = await db.query<{ title: string }>(sql`SELECT title FROM chat_sessions WHERE id IN (${x}, ${y})`);
    expect(rows.map((r) => r.title)).toEqual(['banana', 'banana']);
  });

  it('refuses a table that does not sync, with a clear error and nothing changed', async () => {
    const err = await merge(db, 'secrets', [{ name: 'x' }]).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/secrets is not a synced table/);
  });
});
