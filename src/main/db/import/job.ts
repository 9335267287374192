/**
 * The import job: takes batches of conversation bundles from its feed (the parse worker's port),
 * writes each batch in one transaction (checked in that transaction, see writer.ts; a batch that
 * fails is written again conversation by conversation, each in its own transaction, so a bad one
 * is skipped or reported and never half-written), reports progress, and ends with a verification
 * report. All or nothing for the file: on cancel, on a failed read, or on any mismatch it
 * deletes exactly the rows it added (never rows that were there before), so the database is as
 * it was. A conversation the database refuses (a constraint) is skipped with its reason.
 */
import { ConfabError } from '@shared/errors';
import type {
  ConversationBundle,
  ImportReport,
  ImportSource,
  ImportVerification,
  SkippedConversation,
} from '@shared/types/import';
import { writeAppLog } from '../logs/repository';
import { searchInSession } from '../search/repository';
import type { RepoContext } from '../context';
import { sql } from '../sql';
import { JobCancelled, defineJob, type JobContext } from '../jobs/job';
import type { MessagePort } from 'node:worker_threads';
import { ImportFeed } from './feed';
import { importedMessageId } from './ids';
import { ImportMismatchError, writeConversation, writeConversations, type ConversationWriteResult } from './writer';

export interface ImportJobInput {
  /** The parse worker's end of the feed, transferred with the job's start. */
  port: MessagePort;
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
    const feed = new ImportFeed(input.port);
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
    const probes: SearchProbe[] = [];
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
        const tally = (bundle: ConversationBundle, result: ConversationWriteResult) => {
          verification.conversationsRead++;
          verification.messagesRead += bundle.messages.length;
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
          if (result.sessionCreated && (verification.conversationsWritten - 1) % PROBE_EVERY === 0)
            addProbe(probes, bundle, result.sessionId);
        };
        let batchResults: ConversationWriteResult[] | null = null;
        try {
          batchResults = await job.batch((ctx) => writeConversations(ctx, item.bundles));
        } catch (err) {
          if (err instanceof JobCancelled) throw err;
          // Written again one by one below, to find the conversation at fault.
        }
        if (batchResults) item.bundles.forEach((bundle, i) => tally(bundle, batchResults[i]!));
        else {
          for (const bundle of item.bundles) {
            try {
              tally(bundle, await job.batch((ctx) => writeConversation(ctx, bundle)));
            } catch (err) {
              if (err instanceof JobCancelled) throw err;
              if (err instanceof ImportMismatchError) {
                verification.conversationsRead++;
                verification.messagesRead += bundle.messages.length;
                verification.mismatches.push(...err.mismatches);
                continue;
              }
              const reason = err instanceof Error ? err.message : String(err);
              skipped.push({ title: bundle.title || bundle.sourceId, reason: `It could not be written (${reason}).` });
            }
          }
        }
        job.progress(verification.conversationsRead + skipped.length, input.total, 'Importing conversations');
      }
      job.progress(verification.conversationsRead, input.total, 'Checking what was written');
      if (probes.length > 0) {
        const missed = await job.batch((ctx) => probeSearch(ctx, probes), { writes: false });
        verification.searchFound = missed.length === 0;
        for (const probe of missed)
          verification.mismatches.push(`Search does not find the imported text "${probe.queries.join('" or "')}".`);
      }
      const written = verification.messagesWritten + verification.messagesExisting;
      if (written !== verification.messagesRead)
        verification.mismatches.push(`${verification.messagesRead} messages read, ${written} in the database.`);
      if (verification.mismatches.length > 0) {
        await undo();
        throw new ConfabError(
          'conflict',
          `The import was undone because what was written does not match the file: ${verification.mismatches.slice(0, 3).join(' ')}`,
          {
            verification,
          },
        );
      }
      const report: ImportReport = { source: input.source, skipped, verification };
      await job.batch((ctx) =>
        writeAppLog(ctx, {
          level: 'info',
          source: 'import',
          message: `Imported from ${input.source}`,
          details: { ...verification, skipped: skipped.length },
        }),
      );
      return report;
    } catch (err) {
      if (!(err instanceof ConfabError && err.code === 'conflict')) await undo();
      throw err;
    } finally {
      feed.close();
    }
  },
});

interface SearchProbe {
  sessionId: string;
  /** Queries, tried in turn: the message is found when any of them finds it. */
  queries: string[];
  messageId: string;
}

/** Chats whose search is checked: spread over the import, at most this many. */
const MAX_PROBES = 20;
const PROBE_EVERY = 100;

/**
 * Takes the chosen branch's last message of one chat in every PROBE_EVERY as a probe, searched
 * within its chat: its longest words together (in a chat of thousands of messages one word, or a
 * common phrase, is on more messages than the search's page holds; six long words together are
 * on this one), then a run of its text as a phrase (scripts written without spaces).
 */
function addProbe(probes: SearchProbe[], bundle: ConversationBundle, sessionId: string): void {
  if (probes.length >= MAX_PROBES) return;
  const leaf = bundle.messages.find((m) => m.sourceId === bundle.currentLeafSourceId) ?? bundle.messages.at(-1);
  if (!leaf) return;
  const text = leaf.content.slice(0, 4000);
  const queries: string[] = [];
  const words = [...new Set(text.match(/\p{L}{4,}/gu) ?? [])].sort((a, b) => b.length - a.length).slice(0, 6);
  // The trailing space: whole words, not the prefix search of a word being typed.
  if (words.length > 0) queries.push(`${words.join(' ')} `);
  const run = text.match(/\p{L}{6,}/u)?.[0]?.slice(0, 24);
  if (run) queries.push(`"${run}"`);
  if (queries.length === 0) return;
  probes.push({ sessionId, queries, messageId: importedMessageId(bundle.source, bundle.sourceId, leaf.sourceId) });
}

/** The probes search does not find (the text is stored but its index entries are not). */
async function probeSearch(ctx: RepoContext, probes: readonly SearchProbe[]): Promise<SearchProbe[]> {
  const missed: SearchProbe[] = [];
  for (const probe of probes) {
    let found = false;
    for (const q of probe.queries) {
      const hits = await searchInSession(ctx, { sessionId: probe.sessionId, q, limit: 1000 });
      found = hits.hits.some((h) => h.messageId === probe.messageId);
      if (found) break;
    }
    if (!found) missed.push(probe);
  }
  return missed;
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
