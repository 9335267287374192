/**
 * The export job: writes a Confab export (JSON Lines, see @shared/types/export) of all data or
 * of chosen chats, page by page, while the app's writes are paused so the file is one moment's
 * state (reads go on, so the UI stays live). Written to a .partial file and renamed at the end:
 * a cancelled or failed export leaves no half file under the real name.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import { CONFAB_EXPORT_FORMAT, type ConfabExportHeader, type ExportResult } from '@shared/types/export';
import type { RepoContext } from '../context';
import { defineJob, type JobContext } from '../jobs/job';
import { sql, sqlId, sqlJoin, type SqlFragment } from '../sql';
import { exportTables, type ExportTable } from './tables';

export interface ExportJobInput {
  path: string;
  /** Null: everything. Otherwise these chats and what belongs to them. */
  sessionIds: string[] | null;
  appVersion: string;
  schemaVersion: number;
}

const PAGE = 1000;
/** Tables that belong to chats: what a 'selected' export carries. */
/**
 * What an export of some chats carries: their rows, and this user's state of them (the chosen
 * branch, pin, archive; the tags), which the chat row shows but does not hold (derived columns).
 */
const CHAT_TABLES = new Set([
  'chat_sessions',
  'messages',
  'generation_runs',
  'tool_executions',
  'session_user_state',
  'session_tags',
]);

export const exportJob = defineJob<ExportJobInput, ExportResult>({
  kind: 'export',
  source: 'local',
  run: (job, input) => writeExport(job, input),
});

export async function writeExport(job: JobContext, input: ExportJobInput): Promise<ExportResult> {
  const partial = `${input.path}.partial`;
  const file = createWriteStream(partial);
  let out: Writable = file;
  if (input.path.endsWith('.gz')) {
    const gzip = createGzip();
    gzip.pipe(file);
    out = gzip;
  }
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const release = job.pauseWrites();
  try {
    const tables = (await job.batch((ctx) => exportTables(ctx), { writes: false })).filter(
      (t) => input.sessionIds === null || CHAT_TABLES.has(t.spec.name),
    );
    const header: ConfabExportHeader = {
      confab: 'export',
      formatVersion: CONFAB_EXPORT_FORMAT,
      schemaVersion: input.schemaVersion,
      appVersion: input.appVersion,
      createdAt: new Date().toISOString(),
      scope: input.sessionIds === null ? 'all' : 'selected',
      tables: tables.map((t) => t.spec.name),
    };
    await write(`${JSON.stringify(header)}\n`);
    const hash = createHash('sha256');
    const rows: Record<string, number> = {};
    let done = 0;
    for (const table of tables) {
      rows[table.spec.name] = 0;
      let after: unknown[] | null = null;
      for (;;) {
        const cursor: unknown[] | null = after;
        const page: PageRow[] = await job.batch(
          (ctx): Promise<PageRow[]> => readPage(ctx, table, cursor, input.sessionIds),
          { writes: false },
        );
        for (const row of page) {
          const line = JSON.stringify({ t: table.spec.name, r: row.r });
          hash.update(`${line}\n`);
          await write(`${line}\n`);
        }
        rows[table.spec.name]! += page.length;
        done += page.length;
        job.progress(done, null, `Exporting ${table.spec.name}`);
        if (page.length < PAGE) break;
        after = page.at(-1)!.k;
      }
    }
    const manifest = { rows, sha256: hash.digest('hex') };
    await write(`${JSON.stringify({ manifest })}\n`);
    out.end();
    await once(file, 'close');
    await rename(partial, input.path);
    return { path: input.path, bytes: (await stat(input.path)).size, manifest };
  } catch (err) {
    out.destroy();
    await rm(partial, { force: true });
    throw err;
  } finally {
    release();
  }
}

/** One page of rows as JSON objects with the columns in a fixed order, times in UTC. */
interface PageRow {
  r: Record<string, unknown>;
  k: unknown[];
}

async function readPage(
  ctx: RepoContext,
  table: ExportTable,
  after: unknown[] | null,
  sessionIds: string[] | null,
): Promise<PageRow[]> {
  const t = sqlId(table.spec.name);
  const object = sql`json_build_object(${sqlJoin(
    table.columns.map((c) => sql`${c}::text, t.${sqlId(c)}`),
    ', ',
  )})`;
  const keys = table.orderBy.map((o) => sql`t.${sqlId(o.column)}`);
  const where: SqlFragment[] = [];
  if (after) {
    const values = table.orderBy.map((o, i) => sql`${after[i]}::${sqlId(o.type)}`);
    where.push(sql`(${sqlJoin(keys, ', ')}) > (${sqlJoin(values, ', ')})`);
  }
  if (sessionIds) where.push(chatFilter(table.spec.name, sessionIds, ctx.ownerId));
  return ctx.db.transaction(async (tx) => {
    await tx.query(sql`SET LOCAL TimeZone = 'UTC'`);
    const rows = await tx.query<PageRow & Record<string, unknown>>(sql`
      SELECT ${object} AS r, json_build_array(${sqlJoin(keys, ', ')}) AS k
        FROM ${t} t
       ${where.length ? sql`WHERE ${sqlJoin(where, ' AND ')}` : sql``}
       ORDER BY ${sqlJoin(keys, ', ')}
       LIMIT ${PAGE}`);
    return rows;
  });
}

function chatFilter(table: string, ids: string[], ownerId: string): SqlFragment {
  switch (table) {
    case 'session_user_state':
    case 'session_tags':
      // This user's only: the file carries no owner, and whoever restores it becomes the owner.
      return sql`t.session_id = ANY(${ids}::uuid[]) AND t.owner_id = ${ownerId}`;
    case 'chat_sessions':
      return sql`t.id = ANY(${ids}::uuid[])`;
    case 'messages':
    case 'generation_runs':
      return sql`t.session_id = ANY(${ids}::uuid[])`;
    case 'tool_executions':
      return sql`t.message_id IN (SELECT id FROM messages WHERE session_id = ANY(${ids}::uuid[]))`;
    default:
      return sql`false`;
  }
}
