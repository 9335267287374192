/**
 * The blob questions team sync asks of the attachment rows: which of this user's files to upload
 * to the team server, and marking a file's bytes present once they were fetched from it.
 */
import type { RepoContext } from '../context';
import { toNumber } from '../rows';
import { sql } from '../sql';

export interface OwnBlob {
  sha256: string;
  sizeBytes: number;
}

/**
 * This user's files (sent, not deleted) whose bytes this device has, one per content, in a
 * stable order; `after` pages through them by hash.
 */
export async function ownBlobs(ctx: RepoContext, input: { after: string | null; limit: number }): Promise<OwnBlob[]> {
  const rows = await ctx.db.query<{ sha256: string; size_bytes: unknown }>(sql`
    SELECT sha256, max(size_bytes) AS size_bytes FROM attachments
     WHERE owner_id = ${ctx.ownerId} AND message_id IS NOT NULL AND deleted_at IS NULL AND bytes_present
       AND sha256 > ${input.after ?? ''}
     GROUP BY sha256 ORDER BY sha256 LIMIT ${input.limit}`);
  return rows.map((r) => ({ sha256: r.sha256, sizeBytes: toNumber(r.size_bytes) }));
}

/** The rows naming this content say its bytes are here (a fetch from the team server put them in the store). */
export async function markBytesPresent(ctx: RepoContext, input: { sha256: string }): Promise<{ updated: number }> {
  return ctx.db.transaction(async (tx) => {
    // Which bytes this device holds is its own fact, not an edit to send to the team.
    await tx.query(sql`SET LOCAL confab.applying = 'on'`);
    const rows = await tx.query(sql`
      UPDATE attachments SET bytes_present = true WHERE sha256 = ${input.sha256} AND NOT bytes_present RETURNING id`);
    return { updated: rows.length };
  });
}
