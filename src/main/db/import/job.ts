/**
 * The import job: takes conversation bundles from its feed, writes each in its own transaction
 * (checked in that transaction, see writer.ts), reports progress, and ends with a verification
 * report. All or nothing for the file: on cancel, on a failed read, or on any mismatch it
 * deletes exactly the rows it added (never rows that were there before), so the database is as
 * it was. A conversation the database refuses (a constraint) is skipped with its reason.
 */
import { ConfabError } from '@shared/errors';
import type { ConversationBundle, ImportReport, ImportSource, ImportVerification, SkippedConversation } from '@shared/types/import';
import { writeAppLog } from '../logs/repository';
import { searchInSession } from '../search/repository';
import { sql } from '../sql';
import { JobCancelled, defineJob, type JobContext } from '../jobs/job';
import { closeFeed, openFeed } from './feed';
import { importedMessageId } from './ids';
import { ImportMismatchError, writeConversation } from './writer';

export interface ImportJobInput {
  feedId: string;
  source: ImportSource;
  /** Conversations the dry run found, for the progress bar; null when unknown. */
  total: number | null;
}

/** Rows deleted per undo batch. */
const UNDO_BATCH = 2000;

export const importJob = defineJob<ImportJobInput, ImportReport>({
  kind: 'import',
  source: 'import',
  async run(job, input) {
    const feed = openFeed(input.feedId);
    const createdSessions: string[] = [];
    const createdMessages: string[] = [];
    const skipped: SkippedConversation[] = [];
    const verification: ImportVerification = {
      conversationsRead: 0,
      messagesRead: 0,
      conversationsWritten: 0,
      messagesWritten: 0,
      conversationsExisting: 0,
      messagesExisting: 0,
      sampled: 0,
      mismatches: [],
      searchFound: null,
    };
    let searchProbe: { sessionId: string; word: string; messageId: string } | null = null;
    const undo = () => undoImport(job, createdSessions, createdMessages);
    try {
      job.progress(0, input.total, 'Importing conversations');
      for (;;) {
        const item = await feed.next(job.signal);
        if (item === null) throw new JobCancelled();
        if (item.kind === 'failed') throw new ConfabError('invalid_input', item.message);
        if (item.kind === 'end') {
          skipped.push(...item.skipped);
          break;
        }
        for (const bundle of item.bundles) {
          verification.conversationsRead++;
          verification.messagesRead += bundle.messages.length;
          try {
            const result = await job.batch((ctx) => writeConversation(ctx, bundle));
            if (result.sessionCreated) {
              createdSessions.push(result.sessionId);
              verification.conversationsWritten++;
            } else {
              verification.conversationsExisting++;
              createdMessages.push(...result.createdMessageIds);
            }
            verification.messagesWritten += result.createdMessageIds.length;
            verification.messagesExisting += result.messagesExisting;
            verification.sampled += result.sampled;
            if (result.sessionCreated) searchProbe ??= probeFor(bundle, result.sessionId);
          } catch (err) {
            if (err instanceof JobCancelled) throw err;
            if (err instanceof ImportMismatchError) {
              verification.mismatches.push(...err.mismatches);
              continue;
            }
            const reason = err instanceof Error ? err.message : String(err);
            skipped.push({ title: bundle.title || bundle.sourceId, reason: `It could not be written (${reason}).` });
            verification.conversationsRead--;
            verification.messagesRead -= bundle.messages.length;
          }
          job.progress(verification.conversationsRead + skipped.length, input.total, 'Importing conversations');
        }
      }
      job.progress(verification.conversationsRead, input.total, 'Checking what was written');
      if (searchProbe) {
        const probe = searchProbe;
        const hits = await job.batch((ctx) => searchInSession(ctx, { sessionId: probe.sessionId, q: probe.word, limit: 1000 }), { writes: false });
        verification.searchFound = hits.hits.some((h) => h.messageId === probe.messageId);
        if (!verification.searchFound) verification.mismatches.push(`Search does not find the imported word "${probe.word}".`);
      }
      const written = verification.messagesWritten + verification.messagesExisting;
      if (written !== verification.messagesRead) verification.mismatches.push(`${verification.messagesRead} messages read, ${written} in the database.`);
      if (verification.mismatches.length > 0) {
        await undo();
        throw new ConfabError('conflict', `The import was undone because what was written does not match the file: ${verification.mismatches.slice(0, 3).join(' ')}`, {
          verification,
        });
      }
      const report: ImportReport = { source: input.source, skipped, verification };
      await job.batch((ctx) =>
        writeAppLog(ctx, { level: 'info', source: 'import', message: `Imported from ${input.source}`, details: { ...verification, skipped: skipped.length } }),
      );
      return report;
    } catch (err) {
      if (!(err instanceof ConfabError && err.code === 'conflict')) await undo();
      throw err;
    } finally {
      closeFeed(input.feedId);
    }
  },
});

/** A word of the chosen branch's last message, to check that search finds imported text. */
function probeFor(bundle: ConversationBundle, sessionId: string) {
  const leaf = bundle.messages.find((m) => m.sourceId === bundle.currentLeafSourceId) ?? bundle.messages.at(-1);
  const word = leaf?.content.match(/\p{L}{5,}/u)?.[0];
  if (!leaf || !word) return null;
  return { sessionId, word, messageId: importedMessageId(bundle.source, bundle.sourceId, leaf.sourceId) };
}

async function undoImport(job: JobContext, sessions: string[], messages: string[]): Promise<void> {
  for (let i = 0; i < messages.length; i += UNDO_BATCH) {
    const ids = messages.slice(i, i + UNDO_BATCH);
    await job.batch((ctx) => ctx.db.query(sql`DELETE FROM messages WHERE id = ANY(${ids}::uuid[])`), { undo: true });
  }
  for (let i = 0; i < sessions.length; i += UNDO_BATCH) {
    const ids = sessions.slice(i, i + UNDO_BATCH);
    await job.batch(
      (ctx) =>
        ctx.db.transaction(async (tx) => {
          await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = NULL WHERE id = ANY(${ids}::uuid[])`);
          await tx.query(sql`DELETE FROM messages WHERE session_id = ANY(${ids}::uuid[])`);
          await tx.query(sql`DELETE FROM chat_sessions WHERE id = ANY(${ids}::uuid[])`);
        }),
      { undo: true },
    );
  }
  sessions.length = 0;
  messages.length = 0;
}
