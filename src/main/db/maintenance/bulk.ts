/**
 * Bulk writes (seed, and later import and restore): each batch is one transaction with one
 * statement per table, rows passed as a single JSON parameter and expanded server-side by
 * json_populate_recordset. That is one round trip per table per batch on both engines, with
 * no SQL text growing with the batch, and all-or-nothing by construction.
 */
import { deferSearchIndexing } from '../search/indexer';
import { sql } from '../sql';
import type { RepoContext } from '../context';

export interface CorpusSession {
  id: string;
  title: string;
  status: 'active' | 'archived';
  pinned: boolean;
  tags: string[];
  provider_id: string | null;
  model: string | null;
  current_leaf_id: string | null;
  created_at: string;
  last_activity_at: string;
}

export interface CorpusMessage {
  id: string;
  session_id: string;
  parent_id: string | null;
  depth: number;
  role: string;
  content: string;
  status: string;
  model: string | null;
  provider_id: string | null;
  tokens_in: number | null;
  tokens_out: number | null;
  latency_ms: number | null;
  created_at: string;
}

export interface CorpusRun {
  id: string;
  session_id: string | null;
  message_id: string | null;
  provider_id: string;
  model: string;
  status: string;
  tokens_in: number;
  tokens_out: number;
  ttft_ms: number | null;
  total_ms: number | null;
  error_code: string | null;
  error_message: string | null;
  started_at: string;
  finished_at: string | null;
}

export interface CorpusBatch {
  sessions?: CorpusSession[];
  messages?: CorpusMessage[];
  runs?: CorpusRun[];
}

export async function insertCorpus(ctx: RepoContext, batch: CorpusBatch): Promise<{ sessions: number; messages: number; runs: number }> {
  const owner = ctx.ownerId;
  return ctx.db.transaction(async (tx) => {
    // Indexed afterwards by maintenance.analyze (or the indexer job at the next start).
    await deferSearchIndexing(tx);
    if (batch.sessions?.length) {
      await tx.query(sql`
        INSERT INTO chat_sessions (id, owner_id, title, status, pinned, tags, provider_id, model, created_at,
                                   updated_at, last_activity_at)
        SELECT r.id, ${owner}, r.title, r.status, r.pinned, r.tags, r.provider_id, r.model, r.created_at,
               r.created_at, r.last_activity_at
          FROM json_populate_recordset(NULL::chat_sessions, ${JSON.stringify(batch.sessions)}::json) r`);
    }
    if (batch.messages?.length) {
      await tx.query(sql`
        INSERT INTO messages (id, owner_id, session_id, parent_id, depth, role, content, status, model, provider_id,
                              tokens_in, tokens_out, latency_ms, created_at, updated_at)
        SELECT r.id, ${owner}, r.session_id, r.parent_id, r.depth, r.role, r.content, r.status, r.model,
               r.provider_id, r.tokens_in, r.tokens_out, r.latency_ms, r.created_at, r.created_at
          FROM json_populate_recordset(NULL::messages, ${JSON.stringify(batch.messages)}::json) r`);
    }
    if (batch.sessions?.some((s) => s.current_leaf_id)) {
      await tx.query(sql`
        UPDATE chat_sessions s SET current_leaf_id = r.current_leaf_id
          FROM json_populate_recordset(NULL::chat_sessions, ${JSON.stringify(batch.sessions)}::json) r
         WHERE s.id = r.id AND r.current_leaf_id IS NOT NULL`);
    }
    if (batch.runs?.length) {
      await tx.query(sql`
        INSERT INTO generation_runs (id, owner_id, session_id, message_id, provider_id, model, status, tokens_in,
                                     tokens_out, ttft_ms, total_ms, error_code, error_message, started_at,
                                     finished_at, created_at, updated_at)
        SELECT r.id, ${owner}, r.session_id, r.message_id, r.provider_id, r.model, r.status, r.tokens_in,
               r.tokens_out, r.ttft_ms, r.total_ms, r.error_code, r.error_message, r.started_at, r.finished_at,
               r.started_at, r.started_at
          FROM json_populate_recordset(NULL::generation_runs, ${JSON.stringify(batch.runs)}::json) r`);
    }
    return {
      sessions: batch.sessions?.length ?? 0,
      messages: batch.messages?.length ?? 0,
      runs: batch.runs?.length ?? 0,
    };
  });
}
