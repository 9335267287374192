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
import {
  CONFAB_EXPORT_FORMAT,
  EXPORT_BLOB_PIECE_BYTES,
  type ConfabExportHeader,
  type ConfabExportManifest,
  type ExportResult,
} from '@shared/types/export';
import { blobSize, readBlobPieces } from '../attachments/blobFiles';
import type { RepoContext } from '../context';
import { JobCancelled, defineJob, type JobContext } from '../jobs/job';
import { sql, sqlId, sqlJoin, type SqlFragment } from '../sql';
import { exportTables, type ExportTable } from './tables';

export interface ExportJobInput {
  path: string;
  /** Null: everything. Otherwise these chats and what belongs to them. */
  sessionIds: string[] | null;
  appVersion: string;
  schemaVersion: number;
  /** The data folder's blob store: the attachments' bytes go in the file. Absent: rows only. */
  blobsDir?: string;
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
  'attachments',
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
    const manifest: ConfabExportManifest = { rows, sha256: hash.digest('hex') };
    if (input.blobsDir !== undefined && tables.some((t) => t.spec.name === 'attachments')) {
      manifest.blobs = await writeBlobs(job, input.blobsDir, input.sessionIds, write);
    }
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

/**
 * Every blob the exported attachment rows name, once each, piece by piece (one piece in memory at
 * a time). A blob missing from the store is left out: its rows restore as "bytes absent".
 */
async function writeBlobs(
  job: JobContext,
  blobsDir: string,
  sessionIds: string[] | null,
  write: (text: string) => Promise<void>,
): Promise<{ count: number; bytes: number }> {
  const named = await job.batch(
    async (ctx) =>
      (
        await ctx.db.query<{ sha256: string }>(sql`
          SELECT DISTINCT sha256 FROM attachments t
           ${sessionIds ? sql`WHERE ${chatFilter('attachments', sessionIds, ctx.ownerId)}` : sql``}
           ORDER BY sha256`)
      ).map((r) => r.sha256),
    { writes: false },
  );
  let count = 0;
  let bytes = 0;
  for (const sha256 of named) {
    const size = await blobSize(blobsDir, sha256);
    if (size === null) continue;
    await write(`${JSON.stringify({ blob: sha256, size })}\n`);
    for await (const piece of readBlobPieces(blobsDir, sha256, EXPORT_BLOB_PIECE_BYTES)) {
      if (job.signal.aborted) throw new JobCancelled();
      await write(`${JSON.stringify({ b: sha256, d: piece.toString('base64') })}\n`);
    }
    count++;
    bytes += size;
    job.progress(count, named.length, 'Exporting attached files');
  }
  return { count, bytes };
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
    case 'attachments':
      return sql`t.session_id = ANY(${ids}::uuid[])`;
    case 'tool_executions':
      return sql`t.message_id IN (SELECT id FROM messages WHERE session_id = ANY(${ids}::uuid[]))`;
    default:
      return sql`false`;
  }
}
