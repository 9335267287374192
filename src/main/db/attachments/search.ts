/**
 * Finds sent attachments by file name and by the text read out of them, as hits on the message
 * that carries them (Cmd+K jumps there). Same query rules as message search: stemmed words with
 * prefix-as-you-type through the stored tsvector, and 3+ character substrings of the name.
 */
import type { MessageRole, SearchHit } from '@shared/types';
import { SNIPPET_MARK_START } from '@shared/types';
import type { RepoContext } from '../context';
import { toIso, toNumber } from '../rows';
import { markNeedles, parseSearchQuery, type ParsedQuery, type SearchInput } from '../search/repository';
import { sql, sqlEmpty } from '../sql';

const SNIPPET_RADIUS = 80;

function viewFilter(view: SearchInput['view']) {
  switch (view) {
    case 'active':
      return sql`AND s.deleted_at IS NULL AND s.status = 'active' AND m.deleted_at IS NULL`;
    case 'archived':
      return sql`AND s.deleted_at IS NULL AND s.status = 'archived' AND m.deleted_at IS NULL`;
    case 'trash':
      return sql`AND s.deleted_at IS NOT NULL AND m.deleted_at = s.deleted_at`;
    case 'all':
      return sql`AND s.deleted_at IS NULL AND m.deleted_at IS NULL`;
    case 'team':
      return sql`AND s.deleted_at IS NULL AND s.visibility = 'team' AND m.deleted_at IS NULL`;
  }
}

/** Hits for attachments; `parsed` is the query message search already parsed. */
export async function attachmentHits(
  ctx: RepoContext,
  parsed: ParsedQuery,
  input: Pick<SearchInput, 'view' | 'role' | 'limit'>,
): Promise<SearchHit[]> {
  const tsq = parsed.tsquery ? sql`to_tsquery('english', ${parsed.tsquery})` : sql`NULL::tsquery`;
  const byWords = parsed.tsquery ? sql`a.search_tsv @@ ${tsq}` : sql`false`;
  const byName = parsed.likePattern ? sql`a.file_name ILIKE ${parsed.likePattern}` : sql`false`;
  const roleFilter = input.role ? sql`AND m.role = ${input.role as MessageRole}` : sqlEmpty;
  const rows = await ctx.db.query(sql`
    SELECT a.file_name, a.message_id, a.session_id, m.role, m.created_at,
           s.title AS session_title, s.status AS session_status, s.deleted_at IS NOT NULL AS session_deleted,
           (CASE WHEN ${byWords} THEN ts_rank_cd(a.search_tsv, ${tsq}) ELSE 0 END) + (CASE WHEN ${byName} THEN 0.5 ELSE 0 END) AS rank,
           substr(coalesce(a.extracted_text, ''), greatest(1, strpos(lower(coalesce(a.extracted_text, '')), lower(${parsed.words[0] ?? parsed.needle})) - ${SNIPPET_RADIUS}), ${SNIPPET_RADIUS * 2 + 40}) AS around
      FROM attachments a
      JOIN messages m ON m.id = a.message_id
      JOIN chat_sessions s ON s.id = a.session_id
     WHERE a.deleted_at IS NULL AND (${byWords} OR ${byName}) ${viewFilter(input.view)} ${roleFilter}
     ORDER BY rank DESC, m.created_at DESC
     LIMIT ${input.limit}`);
  return rows.map((row) => {
    const needles = [parsed.needle.trim(), ...parsed.words.filter((w) => [...w].length >= 3)];
    const name = markNeedles(String(row.file_name), needles);
    const around = markNeedles(String(row.around ?? '').replace(/[\u0002\u0003]/g, ''), needles);
    const text = around.includes(SNIPPET_MARK_START) ? ` — ${around}` : '';
    return {
      kind: 'message',
      sessionId: String(row.session_id),
      sessionTitle: String(row.session_title ?? ''),
      sessionStatus: row.session_status as SearchHit['sessionStatus'],
      sessionDeleted: row.session_deleted === true,
      messageId: String(row.message_id),
      role: row.role as MessageRole,
      snippet: `📎 ${name}${text}`.replace(/\s+/g, ' ').trim(),
      createdAt: toIso(row.created_at),
      rank: toNumber(row.rank),
    } satisfies SearchHit;
  });
}

/** attachments.search: the same hits on their own (a file picker's search). */
export async function searchAttachments(ctx: RepoContext, input: { q: string; limit: number }): Promise<SearchHit[]> {
  const parsed = parseSearchQuery(input.q);
  return parsed ? attachmentHits(ctx, parsed, { view: 'all', limit: input.limit }) : [];
}
