/**
 * The restore job: brings a Confab export or backup into this database by merging. A row that is
 * not here is added; a row that is here is replaced only when the file's copy is newer
 * (updated_at); nothing is deleted. Bookkeeping triggers are paused (confab.applying), so rows
 * keep the times they were written with, and the chats' counters are rebuilt by the triggers as
 * their messages arrive. The file is checked whole first (checksum, counts, schema); after the
 * write every row of the file is looked up and the trees and counters are checked; on any
 * problem, cancel or failure the rows this restore added are deleted again.
 */
import { ConfabError } from '@shared/errors';
import type { RestoreReport } from '@shared/types/export';
import type { RepoContext } from '../context';
import { writeAppLog } from '../logs/repository';
import { toDbJson } from '../rows';
import { deferSearchIndexing } from '../search/indexer';
import { sql, sqlId, sqlJoin } from '../sql';
import { JobCancelled, defineJob, type JobContext } from '../jobs/job';
import { exportTables, type ExportTable } from '../export/tables';
import { checkExportFile, exportLines, type ExportRow } from './read';
import { BlobIntake, blobSize, isSha256 } from '../attachments/blobFiles';

export interface RestoreJobInput {
  path: string;
  schemaVersion: number;
  /**
   * 'merge' (default): add what is missing, keep rows newer here, delete nothing. 'replace' (after
   * the user confirmed it): the file's rows win, and rows of the file's tables that it does not
   * hold are deleted, so the database becomes what the file holds.
   */
  mode?: 'merge' | 'replace';
  /**
   * The data folder's blob store: the file's attached files are put back there (each checked
   * against its SHA-256), and the restored rows say whether their bytes are on this device.
   */
  blobsDir?: string;
}

const BATCH = 500;

const ident = (name: string) => sql`${sqlId(name)}`;

export const restoreJob = defineJob<RestoreJobInput, RestoreReport>({
  kind: 'restore',
  source: 'import',
  run: (job, input) => restore(job, input),
});

export async function restore(job: JobContext, input: RestoreJobInput): Promise<RestoreReport> {
  const tables = await job.batch((ctx) => exportTables(ctx), { writes: false });
  const byName = new Map(tables.map((t) => [t.spec.name, t]));
  job.progress(0, null, 'Checking the file');
  const checked = await checkExportFile(input.path, input.schemaVersion, new Set(byName.keys()));
  const replace = input.mode === 'replace';
  if (replace && checked.header.scope !== 'all') {
    throw new ConfabError(
      'invalid_input',
      'This file holds only some chats; replacing everything with it would delete the others. Restore it by merging instead.',
    );
  }
  const fileKeys = new Map<string, unknown[][]>();
  const total = Object.values(checked.rows).reduce((a, b) => a + b, 0);
  const report: RestoreReport = { read: checked.rows, inserted: {}, updated: {}, kept: {}, mismatches: [] };
  const insertedKeys = new Map<string, unknown[][]>();
  const leaves: { id: string; leaf: string }[] = [];
  const namedBlobs = new Set<string>();
  const blobs = { stored: 0, present: 0, corrupt: [] as string[] };
  let intake: BlobIntake | null = null;
  let done = 0;
  try {
    let pending: ExportRow[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const rows = pending;
      pending = [];
      const table = byName.get(rows[0]!.t)!;
      if (table.spec.name === 'chat_sessions') {
        for (const r of rows)
          if (typeof r.r.current_leaf_id === 'string') leaves.push({ id: r.r.id as string, leaf: r.r.current_leaf_id });
      }
      if (table.spec.name === 'attachments') for (const r of rows) if (isSha256(r.r.sha256)) namedBlobs.add(r.r.sha256);
      const result = await job.batch((ctx) => {
        if (replace)
          fileKeys.set(table.spec.name, [
            ...(fileKeys.get(table.spec.name) ?? []),
            ...rows.map((r) => rowKey(table, r.r, ctx.ownerId)),
          ]);
        return mergeRows(
          ctx,
          table,
          rows.map((r) => r.r),
          replace,
        );
      });
      const name = table.spec.name;
      report.inserted[name] = (report.inserted[name] ?? 0) + result.inserted.length;
      report.updated[name] = (report.updated[name] ?? 0) + result.updated;
      report.kept[name] = (report.kept[name] ?? 0) + rows.length - result.inserted.length - result.updated;
      if (result.present !== rows.length)
        report.mismatches.push(`${name}: ${rows.length} rows read, ${result.present} found after writing.`);
      insertedKeys.set(name, [...(insertedKeys.get(name) ?? []), ...result.inserted]);
      done += rows.length;
      job.progress(done, total, `Restoring ${name}`);
    };
    const finishBlob = async () => {
      if (!intake) return;
      const outcome = await intake.finish();
      if (outcome === 'corrupt') blobs.corrupt.push(intake.sha256);
      else blobs[outcome]++;
      intake = null;
    };
    for await (const item of exportLines(input.path)) {
      if ('row' in item) {
        if (pending.length > 0 && (pending[0]!.t !== item.row.t || pending.length >= BATCH)) await flush();
        pending.push(item.row);
      } else if ('blob' in item) {
        await flush();
        await finishBlob();
        if (input.blobsDir === undefined) continue;
        if (job.signal.aborted) throw new JobCancelled();
        intake = await BlobIntake.begin(input.blobsDir, item.blob.sha256, item.blob.size);
        job.progress(done, total, 'Restoring attached files');
      } else if ('piece' in item) {
        await intake?.write(Buffer.from(item.piece.base64, 'base64'));
      }
    }
    await flush();
    await finishBlob();
    if (input.blobsDir !== undefined) {
      report.blobs = blobs;
      await markBytesPresence(job, input.blobsDir, namedBlobs);
    }
    await job.batch((ctx) => setLeaves(ctx, leaves));
    if (replace) {
      job.progress(done, total, 'Removing what the file does not hold');
      const removed = await job.batch((ctx) =>
        removeRowsNotIn(
          ctx,
          tables.filter((t) => checked.header.tables.includes(t.spec.name)),
          fileKeys,
        ),
      );
      report.removed = removed;
    }
    report.mismatches.push(...(await job.batch((ctx) => checkTrees(ctx), { writes: false })));
    if (report.mismatches.length > 0) {
      throw new ConfabError(
        'conflict',
        `The restore was undone because what was written does not match the file: ${report.mismatches.slice(0, 3).join(' ')}`,
        { report },
      );
    }
    await job.batch((ctx) =>
      writeAppLog(ctx, { level: 'info', source: 'restore', message: 'Restored by merging', details: { ...report } }),
    );
    return report;
  } catch (err) {
    await (intake as BlobIntake | null)?.abort();
    await undo(job, tables, insertedKeys);
    if (err instanceof JobCancelled) throw err;
    throw err;
  }
}

/**
 * The restored attachment rows say whether their bytes are on this device now: a blob that came
 * with the file (or was here already) is present; one that was damaged or never in the file is not.
 */
async function markBytesPresence(job: JobContext, blobsDir: string, named: Set<string>): Promise<void> {
  const present: string[] = [];
  const absent: string[] = [];
  for (const sha256 of named) ((await blobSize(blobsDir, sha256)) === null ? absent : present).push(sha256);
  await job.batch((ctx) =>
    ctx.db.transaction(async (tx) => {
      // Which bytes this device holds is its own fact, not a change to send anywhere.
      await tx.query(sql`SET LOCAL confab.applying = 'on'`);
      await tx.query(
        sql`UPDATE attachments SET bytes_present = true WHERE sha256 = ANY(${present}::text[]) AND NOT bytes_present`,
      );
      await tx.query(
        sql`UPDATE attachments SET bytes_present = false WHERE sha256 = ANY(${absent}::text[]) AND bytes_present`,
      );
    }),
  );
}

interface MergeResult {
  inserted: unknown[][];
  updated: number;
  present: number;
}

async function mergeRows(
  ctx: RepoContext,
  table: ExportTable,
  rows: Record<string, unknown>[],
  replace: boolean,
): Promise<MergeResult> {
  // A chat's shown branch is set once its messages exist (setLeaves). A user's chosen branch
  // (session_user_state, after the messages in the file) is restored as it is: while applying,
  // the projection trigger shows it on the chat row when its message is here.
  const columns = table.columns.filter(
    (c) => !(c === 'current_leaf_id' && table.spec.name === 'chat_sessions') && rows.some((r) => c in r),
  );
  const t = sqlId(table.spec.name);
  const cols = columns.map((c) => ident(c));
  const insertCols = [...cols, ...(table.hasOwner ? [ident('owner_id')] : [])];
  const selectCols = [
    ...columns.map((c) => sql`r.${sqlId(c)}`),
    ...(table.hasOwner ? [sql`${ctx.ownerId}::uuid`] : []),
  ];
  const key = table.spec.key.map((k) => ident(k));
  const updatable = columns.filter((c) => !table.spec.key.includes(c));
  const onConflict =
    (table.hasUpdatedAt || replace) && updatable.length > 0
      ? sql`DO UPDATE SET ${sqlJoin(
          updatable.map((c) => sql`${sqlId(c)} = EXCLUDED.${sqlId(c)}`),
          ', ',
        )}${replace ? sql`` : sql` WHERE ${t}.updated_at < EXCLUDED.updated_at`}`
      : sql`DO NOTHING`;
  return ctx.db.transaction(async (tx) => {
    await tx.query(sql`SET LOCAL confab.applying = 'on'`);
    // Restored messages are indexed for search by the indexer job that follows a restore.
    await deferSearchIndexing(tx);
    const written = await tx.query<{ inserted: boolean; k: unknown[] }>(sql`
      INSERT INTO ${t} (${sqlJoin(insertCols, ', ')})
      SELECT ${sqlJoin(selectCols, ', ')} FROM jsonb_populate_recordset(NULL::${t}, ${toDbJson(rows)}::jsonb) r
      ON CONFLICT (${sqlJoin(key, ', ')}) ${onConflict}
      RETURNING (xmax = 0) AS inserted, json_build_array(${sqlJoin(key, ', ')}) AS k`);
    const keyList = toDbJson(rows.map((r) => rowKey(table, r, ctx.ownerId)));
    const [present] = await tx.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM ${t} x
       WHERE json_build_array(${sqlJoin(
         key.map((k) => sql`x.${k}`),
         ', ',
       )})::jsonb IN (SELECT jsonb_array_elements(${keyList}::jsonb))`);
    return {
      inserted: written.filter((w) => w.inserted).map((w) => w.k),
      updated: written.filter((w) => !w.inserted).length,
      present: present?.n ?? 0,
    };
  });
}

/**
 * A row's key as stored. The file leaves owner_id out (the restoring user becomes the owner), so
 * a key that includes it (per-user rows such as session_user_state) takes the restoring user's id.
 */
function rowKey(table: ExportTable, row: Record<string, unknown>, ownerId: string): unknown[] {
  return table.spec.key.map((k) => (k === 'owner_id' && table.hasOwner ? ownerId : row[k]));
}

async function setLeaves(ctx: RepoContext, leaves: { id: string; leaf: string }[]): Promise<void> {
  if (leaves.length === 0) return;
  await ctx.db.transaction(async (tx) => {
    await tx.query(sql`SET LOCAL confab.applying = 'on'`);
    await tx.query(sql`
      UPDATE chat_sessions s SET current_leaf_id = l.leaf
        FROM jsonb_to_recordset(${toDbJson(leaves)}::jsonb) AS l(id uuid, leaf uuid)
       WHERE s.id = l.id AND s.current_leaf_id IS DISTINCT FROM l.leaf
         AND EXISTS (SELECT 1 FROM messages m WHERE m.id = l.leaf AND m.session_id = s.id)`);
    // Restored chats sort by their own last activity, not by the moment of the restore.
    await tx.query(sql`
      UPDATE chat_sessions s SET last_activity_at = coalesce(s.last_message_at, s.updated_at)
        FROM jsonb_to_recordset(${toDbJson(leaves)}::jsonb) AS l(id uuid, leaf uuid)
       WHERE s.id = l.id AND s.last_activity_at > now() - interval '1 hour'`);
  });
}

/**
 * Replace: deletes, in one transaction (all or nothing), every row of the file's tables that the
 * file does not hold, children before parents. The backup taken before the restore is the undo.
 */
async function removeRowsNotIn(
  ctx: RepoContext,
  tables: ExportTable[],
  keys: Map<string, unknown[][]>,
): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  await ctx.db.transaction(async (tx) => {
    await tx.query(sql`SET LOCAL confab.applying = 'on'`);
    for (const table of [...tables].reverse()) {
      const t = sqlId(table.spec.name);
      const key = table.spec.key.map((k) => ident(k));
      // The kept keys already name the restoring user where a key holds owner_id (rowKey).
      const keep = toDbJson(keys.get(table.spec.name) ?? []);
      if (table.spec.name === 'chat_sessions') {
        await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = NULL
                            WHERE json_build_array(id)::jsonb NOT IN (SELECT jsonb_array_elements(${keep}::jsonb))`);
      }
      const rows = await tx.query(sql`
        DELETE FROM ${t} x
         WHERE json_build_array(${sqlJoin(
           key.map((k) => sql`x.${k}`),
           ', ',
         )})::jsonb NOT IN (SELECT jsonb_array_elements(${keep}::jsonb))
        RETURNING 1`);
      removed[table.spec.name] = rows.length;
    }
  });
  return removed;
}

/** Trees intact and counters equal to rows, over the whole database. */
async function checkTrees(ctx: RepoContext): Promise<string[]> {
  const [row] = await ctx.db.query<{ bad_parent: number; bad_counter: number; bad_leaf: number }>(sql`
    SELECT (SELECT count(*)::int FROM messages m JOIN messages p ON p.id = m.parent_id WHERE p.session_id <> m.session_id) AS bad_parent,
           (SELECT count(*)::int FROM chat_sessions s
             WHERE s.message_count <> (SELECT count(*) FROM messages m WHERE m.session_id = s.id AND m.deleted_at IS NULL)) AS bad_counter,
           (SELECT count(*)::int FROM chat_sessions s JOIN messages m ON m.id = s.current_leaf_id WHERE m.session_id <> s.id) AS bad_leaf`);
  const problems: string[] = [];
  if (row && row.bad_parent > 0) problems.push(`${row.bad_parent} messages have a parent in another chat.`);
  if (row && row.bad_counter > 0)
    problems.push(`${row.bad_counter} chats have a message count that differs from their messages.`);
  if (row && row.bad_leaf > 0) problems.push(`${row.bad_leaf} chats show a branch of another chat.`);
  return problems;
}

async function undo(job: JobContext, tables: ExportTable[], inserted: Map<string, unknown[][]>): Promise<void> {
  for (const table of [...tables].reverse()) {
    const keys = inserted.get(table.spec.name) ?? [];
    const t = sqlId(table.spec.name);
    const key = table.spec.key.map((k) => ident(k));
    for (let i = 0; i < keys.length; i += BATCH) {
      const slice = toDbJson(keys.slice(i, i + BATCH));
      await job.batch(
        (ctx) =>
          ctx.db.transaction(async (tx) => {
            if (table.spec.name === 'chat_sessions') {
              await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = NULL
                                  WHERE json_build_array(id)::jsonb IN (SELECT jsonb_array_elements(${slice}::jsonb))`);
            }
            await tx.query(sql`DELETE FROM ${t} x
                                WHERE json_build_array(${sqlJoin(
                                  key.map((k) => sql`x.${k}`),
                                  ', ',
                                )})::jsonb IN (SELECT jsonb_array_elements(${slice}::jsonb))`);
          }),
        { undo: true },
      );
    }
  }
}
