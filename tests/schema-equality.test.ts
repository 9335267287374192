/**
 * After migrating, PGlite and a real PostgreSQL must hold the same schema: the same migrations
 * run on both, and sync assumes the two are interchangeable. This compares schema `public`
 * object by object (columns, indexes, constraints, triggers, views, functions, extensions) and
 * fails with a readable list of differences.
 *
 * Servers: the run's PostgreSQL, and when reachable a second server of another major version
 * (the system PostgreSQL 15 on the reference machine; CONFAB_TEST_EXTRA_PG_URL overrides, "off"
 * disables), since the team server may run any PostgreSQL >= 15.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../src/main/db/database';
import { sql } from '../src/main/db/sql';
import { openTestDb, type TestDb } from './helpers/engines';
import { openMigratedServerDb, testServers } from './helpers/servers';

/** category -> object key -> normalised definition */
export type SchemaSnapshot = Record<string, Record<string, string>>;

/**
 * Reads schema `public`. Normalisations (each is engine noise, not a schema difference):
 *  - NOT NULL constraints: PostgreSQL 18 also lists them in pg_constraint (contype 'n', named
 *    like `messages_role_not_null`), 15–17 do not. Nullability is compared per column instead.
 *  - Objects that belong to an extension (pg_trgm's functions, operators and so on) are left out
 *    of the function list; the extension itself is compared by name and version.
 *  - Internal triggers (those enforcing foreign keys) are left out; the foreign keys themselves
 *    are compared as constraints.
 *  - View definitions over a single relation: see normaliseViewDef.
 * Nothing else is rewritten: types, defaults, expressions and definitions are compared exactly
 * as the server prints them.
 */
export async function schemaSnapshot(db: Db): Promise<SchemaSnapshot> {
  const snapshot: SchemaSnapshot = {};
  const put = (category: string, key: string, value: string) => {
    (snapshot[category] ??= {})[key] = value;
  };

  const relations = await db.query<{ name: string; kind: string }>(sql`
    SELECT c.relname AS name, c.relkind::text AS kind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND d.deptype = 'e')`);
  for (const r of relations) put('relations', r.name, `relkind ${r.kind}`);

  const columns = await db.query<{
    rel: string;
    col: string;
    num: number;
    type: string;
    notnull: boolean;
    def: string | null;
    generated: string;
    identity: string;
    collation: string | null;
  }>(sql`
    SELECT c.relname AS rel, a.attname AS col, a.attnum AS num, format_type(a.atttypid, a.atttypmod) AS type,
           a.attnotnull AS notnull, pg_get_expr(ad.adbin, ad.adrelid) AS def,
           a.attgenerated::text AS generated, a.attidentity::text AS identity,
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                THEN (SELECT collname FROM pg_collation WHERE oid = a.attcollation) END AS collation
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped`);
  for (const c of columns) {
    const parts = [`#${c.num}`, c.type, c.notnull ? 'NOT NULL' : 'NULL'];
    if (c.generated) parts.push(`GENERATED (${c.generated}) ${c.def}`);
    else if (c.def !== null) parts.push(`DEFAULT ${c.def}`);
    if (c.identity) parts.push(`IDENTITY ${c.identity}`);
    if (c.collation) parts.push(`COLLATE ${c.collation}`);
    put('columns', `${c.rel}.${c.col}`, parts.join(' '));
  }

  const indexes = await db.query<{ name: string; def: string }>(
    sql`SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public'`,
  );
  for (const i of indexes) put('indexes', i.name, i.def);

  const constraints = await db.query<{ rel: string; name: string; def: string }>(sql`
    SELECT cl.relname AS rel, co.conname AS name, pg_get_constraintdef(co.oid) AS def
      FROM pg_constraint co
      JOIN pg_class cl ON cl.oid = co.conrelid
      JOIN pg_namespace n ON n.oid = cl.relnamespace
     WHERE n.nspname = 'public' AND co.contype <> 'n'`);
  for (const c of constraints) put('constraints', `${c.rel}.${c.name}`, c.def);

  const triggers = await db.query<{ rel: string; name: string; def: string; enabled: string }>(sql`
    SELECT cl.relname AS rel, t.tgname AS name, pg_get_triggerdef(t.oid) AS def, t.tgenabled::text AS enabled
      FROM pg_trigger t
      JOIN pg_class cl ON cl.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = cl.relnamespace
     WHERE n.nspname = 'public' AND NOT t.tgisinternal`);
  for (const t of triggers) put('triggers', `${t.rel}.${t.name}`, `${t.def} [enabled ${t.enabled}]`);

  const views = await db.query<{ name: string; def: string }>(sql`
    SELECT c.relname AS name, pg_get_viewdef(c.oid, true) AS def
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm')`);
  for (const v of views) put('views', v.name, normaliseViewDef(v.def));

  const functions = await db.query<{
    name: string;
    args: string;
    result: string;
    lang: string;
    volatility: string;
    strict: boolean;
    security_definer: boolean;
    src: string;
    config: string[] | null;
  }>(sql`
    SELECT p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args,
           pg_get_function_result(p.oid) AS result, l.lanname AS lang, p.provolatile::text AS volatility,
           p.proisstrict AS strict, p.prosecdef AS security_definer, p.prosrc AS src, p.proconfig AS config
      FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
      JOIN pg_language l ON l.oid = p.prolang
     WHERE n.nspname = 'public'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                        AND d.deptype = 'e')`);
  for (const f of functions) {
    put(
      'functions',
      `${f.name}(${f.args})`,
      [
        `RETURNS ${f.result} LANGUAGE ${f.lang} VOLATILITY ${f.volatility}`,
        f.strict ? 'STRICT' : '',
        f.security_definer ? 'SECURITY DEFINER' : '',
        f.config ? `SET ${f.config.join(', ')}` : '',
        `AS $$${f.src}$$`,
      ]
        .filter(Boolean)
        .join(' '),
    );
  }

  const extensions = await db.query<{ name: string; version: string; schema: string }>(sql`
    SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname <> 'plpgsql'`);
  for (const e of extensions) put('extensions', e.name, `version ${e.version} in ${e.schema}`);

  return snapshot;
}

/**
 * PostgreSQL 16+ prints the columns of a view that reads one relation unqualified
 * (`started_at`), 15 qualifies them with the alias (`r.started_at`). The same view, parsed the
 * same way, so the alias prefix is dropped when the definition has exactly one relation. Views
 * with joins are left as printed (both versions qualify them).
 */
export function normaliseViewDef(def: string): string {
  const single = /\n\s*FROM (?:[a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]* ([a-z_][a-z0-9_]*)\n/.exec(def);
  if (!single || /\bJOIN\b/.test(def) || /\bFROM\b[^\n]*,/.test(def)) return def;
  return def.replace(new RegExp(`\\b${single[1]}\\.(?=[a-z_"])`, 'g'), '');
}

/** One line per difference: `category key: only in A | only in B | A ≠ B`, sorted. */
export function diffSnapshots(a: SchemaSnapshot, b: SchemaSnapshot, labels: [string, string] = ['A', 'B']): string[] {
  const lines: string[] = [];
  const categories = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const category of [...categories].sort()) {
    const left = a[category] ?? {};
    const right = b[category] ?? {};
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    for (const key of [...keys].sort()) {
      const l = left[key];
      const r = right[key];
      if (l === r) continue;
      if (l === undefined) lines.push(`${category} ${key}: only in ${labels[1]}: ${r}`);
      else if (r === undefined) lines.push(`${category} ${key}: only in ${labels[0]}: ${l}`);
      else lines.push(`${category} ${key}:\n    ${labels[0]}: ${l}\n    ${labels[1]}: ${r}`);
    }
  }
  return lines;
}

const mainUrl = inject('postgresUrl');
const servers = await testServers();

describe('schema equality after migrating', () => {
  let lite: TestDb;
  let liteSnapshot: SchemaSnapshot;
  beforeAll(async () => {
    lite = await openTestDb('pglite');
    liteSnapshot = await schemaSnapshot(lite.db);
  });
  afterAll(async () => {
    await lite?.close();
  });

  it('sees the whole app schema on PGlite', () => {
    // Guards against a snapshot query that silently matches nothing on both sides.
    expect(Object.keys(liteSnapshot.relations ?? {})).toEqual(
      expect.arrayContaining(['users', 'chat_sessions', 'messages', 'generation_runs', 'session_summaries']),
    );
    // A plain column filled by a trigger since 0016 (NULL: waiting for the search indexer).
    expect(liteSnapshot.columns?.['messages.search_tsv']).toMatch(/^#\d+ tsvector NULL$/);
    expect(liteSnapshot.indexes?.messages_content_trgm_idx).toContain('gin_trgm_ops');
    expect(liteSnapshot.indexes?.messages_content_trgm_idx).toContain('WHERE (search_tsv IS NOT NULL)');
    expect(liteSnapshot.constraints?.['messages.messages_session_id_fkey']).toContain('DEFERRABLE INITIALLY DEFERRED');
    expect(liteSnapshot.triggers?.['messages.messages_counters_insert']).toContain('REFERENCING NEW TABLE AS new_rows');
    expect(liteSnapshot.views?.daily_usage).toContain('generation_runs');
    expect(liteSnapshot.functions?.['confab_touch_updated_at()']).toContain('NEW.updated_at := now()');
    expect(liteSnapshot.extensions?.pg_trgm).toMatch(/^version /);
    // pg_trgm's own functions are compared through the extension, not one by one.
    expect(liteSnapshot.functions?.['similarity(text, text)']).toBeUndefined();
  });

  it.each(servers)('matches $name object by object', async ({ name, url }) => {
    const server = await openMigratedServerDb(url);
    try {
      const diff = diffSnapshots(liteSnapshot, await schemaSnapshot(server.db), ['PGlite', name]);
      expect(diff, `schema differences between PGlite and ${name}:\n${diff.join('\n')}`).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('would catch a difference in every category', async () => {
    const server = await openMigratedServerDb(mainUrl);
    try {
      await server.db.exec(`
        ALTER TABLE messages ALTER COLUMN content_type SET DEFAULT 'text/plain';
        ALTER TABLE app_logs ALTER COLUMN details SET NOT NULL;
        ALTER TABLE settings ADD COLUMN note text;
        CREATE INDEX messages_role_idx ON messages (role);
        ALTER TABLE chat_sessions DROP CONSTRAINT chat_sessions_title_length;
        ALTER TABLE messages ALTER CONSTRAINT messages_parent_id_fkey NOT DEFERRABLE;
        DROP TRIGGER tool_executions_touch ON tool_executions;
        CREATE OR REPLACE VIEW session_summaries AS
          SELECT s.*, NULL::text AS last_message_preview, NULL::text AS last_message_role FROM chat_sessions s;
        CREATE OR REPLACE FUNCTION confab_applying() RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT false $$;
      `);
      const diff = diffSnapshots(liteSnapshot, await schemaSnapshot(server.db), ['PGlite', 'server']);
      const text = diff.join('\n');
      expect(text).toMatch(/^columns messages\.content_type:\n.*'text\/markdown'.*\n.*'text\/plain'/m);
      expect(text).toMatch(/^columns app_logs\.details:/m);
      expect(text).toMatch(/^columns settings\.note: only in server/m);
      expect(text).toMatch(/^indexes messages_role_idx: only in server/m);
      expect(text).toMatch(/^constraints chat_sessions\.chat_sessions_title_length: only in PGlite/m);
      expect(text).toMatch(/^constraints messages\.messages_parent_id_fkey:/m);
      expect(text).toMatch(/^triggers tool_executions\.tool_executions_touch: only in PGlite/m);
      expect(text).toMatch(/^views session_summaries:/m);
      expect(text).toMatch(/^functions confab_applying\(\):/m);
      expect(diff).toHaveLength(9);
    } finally {
      await server.close();
    }
  });
});

describe('normaliseViewDef', () => {
  const pg15 = [
    " SELECT (r.started_at AT TIME ZONE current_setting('TimeZone'::text))::date AS day,",
    '    r.model,',
    "    count(*) FILTER (WHERE r.status = 'failed'::text) AS n",
    '   FROM generation_runs r',
    '  WHERE r.deleted_at IS NULL',
    "  GROUP BY ((r.started_at AT TIME ZONE current_setting('TimeZone'::text))::date), r.model;",
  ].join('\n');
  const pg18 = pg15.replace(/\br\.(?=[a-z])/g, '');

  it('reads a single-relation view printed by 15 and by 16+ as the same', () => {
    expect(normaliseViewDef(pg15)).toBe(normaliseViewDef(pg18));
    expect(normaliseViewDef(pg18)).toBe(pg18);
  });

  it('still tells different single-relation views apart', () => {
    expect(normaliseViewDef(pg15)).not.toBe(normaliseViewDef(pg15.replace('r.model', 'r.provider_id')));
  });

  it('leaves views with joins exactly as printed', () => {
    const joined =
      ' SELECT s.id,\n    m.role\n   FROM chat_sessions s\n     LEFT JOIN messages m ON m.session_id = s.id;';
    expect(normaliseViewDef(joined)).toBe(joined);
  });
});

describe('diffSnapshots', () => {
  it('reports nothing for equal snapshots and each kind of difference otherwise', () => {
    const a: SchemaSnapshot = { columns: { 't.a': 'int', 't.b': 'text' }, indexes: { i: 'CREATE INDEX i' } };
    expect(diffSnapshots(a, structuredClone(a))).toEqual([]);
    const b: SchemaSnapshot = { columns: { 't.a': 'bigint', 't.c': 'text' }, triggers: { x: 'CREATE TRIGGER x' } };
    expect(diffSnapshots(a, b, ['lite', 'pg'])).toEqual([
      'columns t.a:\n    lite: int\n    pg: bigint',
      'columns t.b: only in lite: text',
      'columns t.c: only in pg: text',
      'indexes i: only in lite: CREATE INDEX i',
      'triggers x: only in pg: CREATE TRIGGER x',
    ]);
  });
});
