/**
 * Search across every message and every session title.
 *
 *  - English stemming through the stored `search_tsv` ("syncing" finds "synced").
 *  - Prefix as you type: the last word is a prefix while the query ends inside it (not after a
 *    space or punctuation: "100%" never matches 1000).
 *  - Substrings of 3+ characters in any script (Cyrillic, CJK, code identifiers) through the
 *    pg_trgm index on content.
 *  - "Quoted words" are a phrase.
 *
 * Ranking every match of a common word costs hundreds of milliseconds on 100k messages, so each
 * matcher first takes its newest CANDIDATES matches (an index walk that stops early for common
 * words; a GIN lookup for rare ones, which are therefore always complete) and only those are
 * ranked and get a headline.
 *
 * Rows a bulk writer stored unindexed (search_tsv NULL until the indexer job reaches them, see
 * indexer.ts) are searched apart, through the partial index on exactly those rows: they are
 * narrowed by substring (each query word, or one of its English stems, in the text), then
 * matched and ranked with a tsvector made on the spot for those few. A stem that is not a
 * substring of the written form ("happi" of "happiness" in "happier") is missed until the row is
 * indexed, a short while. The trigram index leaves those rows out, so its matcher says
 * `search_tsv IS NOT NULL` for the planner to use it.
 *
 * User text never reaches SQL as syntax: words are reduced to letters and digits before they go
 * into a tsquery, and the LIKE pattern is escaped; both travel as parameters.
 */
import type { MessageRole, SearchHit, SearchResult, SessionSearchHit, SessionSearchResult } from '@shared/types';
import { SNIPPET_MARK_END, SNIPPET_MARK_START } from '@shared/types';
import { sql, sqlEmpty, type SqlFragment } from '../sql';
import { toIso, toNumber } from '../rows';
import type { RepoContext } from '../context';
import { attachmentHits } from '../attachments/search';

export const SEARCH_CANDIDATES = 200;
/**
 * A substring the trigram index cannot narrow (no run of three letters or digits: "a_b", emoji,
 * punctuation) is looked for in this many newest messages only. Without the bound such a needle
 * rechecks every message, seconds on 100k, and one slow search held the newer keystrokes back.
 */
export const UNINDEXED_SUBSTRING_WINDOW = 20_000;
const SNIPPET_RADIUS = 80;
/** ts_headline parses only this much text, taken around the first likely hit. */
const HEADLINE_WINDOW = 800;
const HEADLINE_LEAD = 300;

export interface SearchInput {
  q: string;
  view: 'active' | 'archived' | 'trash' | 'all' | 'team';
  role?: 'user' | 'assistant';
  limit: number;
  /** Message hits to skip: "Show all results" pages on. Title hits come with the first page only. */
  offset?: number;
}

/** Knobs a test can turn down to see a bound at work without writing 20,000 rows. */
export interface SearchTuning {
  unindexedWindow: number;
}

export interface ParsedQuery {
  /** to_tsquery text made only of quoted letter/digit words, or null when there are none. */
  tsquery: string | null;
  /** ILIKE pattern for the substring matcher, or null when the text is shorter than 3. */
  likePattern: string | null;
  /**
   * Whether the trigram index can narrow the pattern (it holds a run of 3+ letters or digits);
   * if not, the substring matcher reads only the newest UNINDEXED_SUBSTRING_WINDOW messages.
   */
  likeIndexed: boolean;
  /** The raw needle used to mark substring hits. */
  needle: string;
  words: string[];
}

/**
 * A word is letters and digits with their combining marks: Devanagari "मुंबई" is one word (its
 * vowel signs and anusvara are marks, \p{M}), not "म" and "बई". PostgreSQL's parser keeps them
 * in one token too, so the word search and the marks agree with the stored tsvector.
 */
const WORD_RE = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;
/** What pg_trgm makes trigrams of: three letters or digits in a row. */
const TRIGRAM_RUN_RE = /[\p{L}\p{N}]{3}/u;
/** The query ends inside a word: that word is still being typed. */
const ENDS_IN_WORD_RE = /[\p{L}\p{M}\p{N}]$/u;
/** Scripts written without spaces between words: a trailing space there says nothing. */
const UNSPACED_SCRIPT_RE = /[\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}\p{Script_Extensions=Thai}\p{Script_Extensions=Lao}\p{Script_Extensions=Khmer}\p{Script_Extensions=Myanmar}]$/u;

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Prefix as you type: the last word is a prefix only while the query ends inside it. "postg"
 * finds PostgreSQL; "postg " and "100%" are finished words, so they do not (100% never matches
 * 1000). The substring matcher follows the same rule: after a finished word in a spaced script
 * its needle keeps one trailing space, so "post " does not find "PostgreSQL" by substring either.
 */
export function parseSearchQuery(raw: string): ParsedQuery | null {
  // Control characters are removed first: they are used as hit markers in snippets.
  const text = raw.replace(/[\u0000-\u001f\u007f]/g, ' ');
  const trimmed = text.trim();
  if (!trimmed) return null;
  const phrase = /^".*"$/.test(trimmed) && trimmed.length > 2;
  // A phrase still being typed (`"interest r`): its opening quote is no part of the text looked
  // for. Kept, `"in` would be a substring search for a quote and "in", which the trigram index
  // cannot narrow (every word starting with "in" is a candidate) and which almost never matches.
  const openQuote = !phrase && trimmed.startsWith('"');
  const body = phrase ? trimmed.slice(1, -1).trim() : openQuote ? trimmed.slice(1).trimStart() : trimmed;
  if (!body) return null;
  const words = (body.toLowerCase().match(WORD_RE) ?? []).slice(0, 16);
  const typingLastWord = !phrase && ENDS_IN_WORD_RE.test(text);
  let tsquery: string | null = null;
  if (words.length > 0) {
    const parts = words.map((w, i) => (i === words.length - 1 && typingLastWord ? `'${w}':*` : `'${w}'`));
    tsquery = parts.join(phrase ? ' <-> ' : ' & ');
  }
  const wordFinished = !phrase && /\s$/.test(text) && ENDS_IN_WORD_RE.test(body) && !UNSPACED_SCRIPT_RE.test(body);
  const needle = wordFinished ? `${body} ` : body;
  const likePattern = [...body].length >= 3 ? `%${escapeLike(needle)}%` : null;
  if (!tsquery && !likePattern) return null;
  return { tsquery, likePattern, likeIndexed: TRIGRAM_RUN_RE.test(body), needle, words };
}

/** The vector a row that waits for the indexer will get (as in migrations/0016). */
const PENDING_TSV = sql`to_tsvector('english', left(m.content, 200000))`;

/**
 * The cheap narrowing of rows that wait: every word is in the text as itself or as one of its
 * English stems ("syncing" -> "sync" also finds "synced"). A stop word, which the tsquery leaves
 * out, narrows nothing. Words are letters, marks and digits only, so they hold no LIKE syntax.
 */
function wordsAsSubstrings(words: readonly string[]): SqlFragment {
  let all: SqlFragment = sql`true`;
  for (const w of words) {
    all = sql`${all} AND m.content ILIKE ANY (ARRAY(
      SELECT '%' || p || '%' FROM unnest(CASE WHEN to_tsvector('english', ${w}) = ''::tsvector THEN ARRAY['']
                                             ELSE ${w}::text || tsvector_to_array(to_tsvector('english', ${w})) END) AS p))`;
  }
  return all;
}

function viewFilter(view: SearchInput['view']): SqlFragment {
  switch (view) {
    case 'active':
      return sql`s.deleted_at IS NULL AND s.status = 'active'`;
    case 'archived':
      return sql`s.deleted_at IS NULL AND s.status = 'archived'`;
    case 'trash':
      return sql`s.deleted_at IS NOT NULL`;
    case 'all':
      return sql`s.deleted_at IS NULL`;
    case 'team':
      return sql`s.deleted_at IS NULL AND s.visibility = 'team'`;
  }
}

/** Messages visible in the view: live ones, or in the trash those deleted with their session. */
function messageVisible(view: SearchInput['view']): SqlFragment {
  return view === 'trash' ? sql`m.deleted_at = s.deleted_at` : sql`m.deleted_at IS NULL`;
}

/** Marks every case-insensitive occurrence of any of `needles` in `text`. */
export function markNeedles(text: string, needles: string[]): string {
  const alternatives = needles
    .filter((n) => n.length > 0)
    .sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (alternatives.length === 0) return text;
  return text.replace(new RegExp(alternatives.join('|'), 'giu'), (hit) => SNIPPET_MARK_START + hit + SNIPPET_MARK_END);
}

const stripMarks = (text: string) => text.replace(/[\u0002\u0003]/g, '');

/** Marks the needle in a substring snippet, or failing that the query's words (and `extra`, e.g. stems). */
function markAround(text: string, parsed: ParsedQuery, extra: string[] = []): string {
  const byNeedle = markNeedles(text, [parsed.needle.trim()]);
  if (byNeedle.includes(SNIPPET_MARK_START)) return byNeedle;
  const byWords = markNeedles(text, parsed.words.filter((w) => [...w].length >= 3));
  if (byWords.includes(SNIPPET_MARK_START) || extra.length === 0) return byWords;
  return markNeedles(text, extra);
}

export async function searchMessages(
  ctx: RepoContext,
  input: SearchInput,
  tuning: SearchTuning = { unindexedWindow: UNINDEXED_SUBSTRING_WINDOW },
): Promise<SearchResult> {
  const started = performance.now();
  const parsed = parseSearchQuery(input.q);
  if (!parsed) return { hits: [], tookMs: 0 };
  const offset = input.offset ?? 0;
  const tsq = parsed.tsquery ? sql`to_tsquery('english', ${parsed.tsquery})` : sql`NULL::tsquery`;
  const roleFilter = input.role ? sql`AND m.role = ${input.role as MessageRole}` : sqlEmpty;
  const locateTerms = parsed.words.filter((w) => [...w].length >= 3);
  const needsJoin = input.view !== 'all';
  const join = needsJoin ? sql`JOIN chat_sessions s ON s.id = m.session_id AND ${viewFilter(input.view)}` : sqlEmpty;
  const visible = needsJoin ? messageVisible(input.view) : sql`m.deleted_at IS NULL`;

  // The tsquery is written inline, not read from the `query` CTE: only a constant lets the
  // planner estimate how common the word is, and so walk the newest-first index and stop early
  // for a common word (114 ms -> 6 ms for "data" on 100k messages) while rare words still go
  // through the GIN index.
  const ftsCandidates = parsed.tsquery
    ? sql`SELECT m.id, m.created_at FROM messages m ${join}
           WHERE m.search_tsv @@ ${tsq} AND ${visible} ${roleFilter}
           ORDER BY m.created_at DESC LIMIT ${SEARCH_CANDIDATES}`
    : sql`SELECT NULL::uuid AS id, NULL::timestamptz AS created_at WHERE false`;
  // The substring matcher is for what words cannot find (CJK runs, pieces of identifiers); it
  // runs only when the word matcher did not fill the page, since scanning for a common
  // substring reads tens of thousands of rows.
  const window = parsed.likeIndexed
    ? sqlEmpty
    : sql`AND m.created_at >= coalesce((SELECT w.created_at FROM messages w WHERE w.deleted_at IS NULL
                                         ORDER BY w.created_at DESC, w.id DESC
                                         OFFSET ${tuning.unindexedWindow} LIMIT 1), '-infinity')`;
  const likeCandidates = parsed.likePattern
    ? sql`SELECT m.id, m.created_at FROM messages m ${join}
           WHERE (SELECT count(*) FROM fts) < ${input.limit}
             AND m.content ILIKE ${parsed.likePattern} AND m.search_tsv IS NOT NULL
             AND ${visible} ${roleFilter} ${window}
           ORDER BY m.created_at DESC LIMIT ${SEARCH_CANDIDATES}`
    : sql`SELECT NULL::uuid AS id, NULL::timestamptz AS created_at WHERE false`;
  // Rows that wait for the indexer, newest first. Not gated on the word matcher's count: they
  // rank like indexed rows (their vector is made here), so any of them may belong on the page.
  const likeMatch = parsed.likePattern ? sql`m.content ILIKE ${parsed.likePattern}` : sql`false`;
  // CASE, not AND: the text is parsed only for rows the cheap substring test kept.
  const pendingMatch = parsed.tsquery
    ? sql`CASE WHEN ${wordsAsSubstrings(parsed.words)} THEN ${PENDING_TSV} @@ ${tsq} OR ${likeMatch} ELSE false END`
    : likeMatch;
  const pendingCandidates = sql`SELECT m.id, m.created_at FROM messages m ${join}
           WHERE m.search_tsv IS NULL AND ${visible} ${roleFilter} ${window} AND ${pendingMatch}
           ORDER BY m.created_at DESC, m.id DESC LIMIT ${SEARCH_CANDIDATES}`;

  const messageRows = await ctx.db.query(sql`
    WITH query AS (
      SELECT ${tsq} AS q,
             array(SELECT DISTINCT t FROM unnest(${locateTerms}::text[] || tsvector_to_array(to_tsvector('english', ${parsed.words.join(' ')}))) t
                    WHERE char_length(t) >= 3) AS terms),
    fts AS MATERIALIZED (${ftsCandidates}),
    sub AS MATERIALIZED (${likeCandidates}),
    pending AS MATERIALIZED (${pendingCandidates}),
    cand AS (SELECT id FROM fts UNION SELECT id FROM sub UNION SELECT id FROM pending),
    -- Ranking carries ids and vectors only; the text is fetched for the final rows alone.
    ranked0 AS (
      SELECT m.id, m.session_id, m.role, m.created_at,
             (CASE WHEN (SELECT q FROM query) IS NOT NULL AND v.tsv @@ (SELECT q FROM query)
                   THEN ts_rank_cd(v.tsv, (SELECT q FROM query)) ELSE 0 END)
             + (CASE WHEN m.id IN (SELECT id FROM sub) OR (m.search_tsv IS NULL AND ${likeMatch})
                     THEN 0.05 ELSE 0 END) AS rank,
             v.tsv @@ (SELECT q FROM query) AS fts_hit
        FROM messages m JOIN cand c ON c.id = m.id
        CROSS JOIN LATERAL (SELECT coalesce(m.search_tsv, ${PENDING_TSV}) AS tsv) v
       ORDER BY rank DESC, m.created_at DESC, m.id DESC
       LIMIT ${input.limit} OFFSET ${offset}
    ),
    ranked AS (SELECT r0.*, m.content FROM ranked0 r0 JOIN messages m ON m.id = r0.id)
    SELECT r.id, r.session_id, r.role, r.created_at, r.rank,
           s.title AS session_title, s.status AS session_status, s.deleted_at IS NOT NULL AS session_deleted,
           CASE WHEN r.fts_hit THEN
             ts_headline('english',
                         translate(substr(r.content, greatest(1, l.pos - ${HEADLINE_LEAD}), ${HEADLINE_WINDOW}),
                                   E'\\x02\\x03', ''),
                         (SELECT q FROM query),
                         'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=24, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "')
           END AS headline,
           substr(r.content, greatest(1, l.pos - ${SNIPPET_RADIUS}), ${SNIPPET_RADIUS * 2 + parsed.needle.length}) AS around
      FROM ranked r JOIN chat_sessions s ON s.id = r.session_id
      -- Where the snippet comes from: the needle if the text has it, else the earliest of the
      -- query's words and stems ("syncing" -> sync finds "synced"), so that a hit deep inside a
      -- long message is shown and marked rather than the message's first lines.
      CROSS JOIN LATERAL (SELECT lower(r.content) AS lc) lo
      CROSS JOIN LATERAL (
        SELECT coalesce(nullif(strpos(lo.lc, lower(${parsed.needle})), 0),
                        (SELECT min(p) FROM (SELECT strpos(lo.lc, term) AS p FROM unnest((SELECT terms FROM query)) term) x
                          WHERE p > 0),
                        1) AS pos) l
     ORDER BY r.rank DESC, r.created_at DESC, r.id DESC`);

  const hits: SearchHit[] = messageRows.map((row) => {
    const headline = typeof row.headline === 'string' ? row.headline : '';
    const snippet = headline.includes(SNIPPET_MARK_START)
      ? headline
      : markAround(stripMarks(String(row.around ?? '')), parsed);
    return {
      kind: 'message',
      sessionId: String(row.session_id),
      sessionTitle: String(row.session_title ?? ''),
      sessionStatus: row.session_status as SearchHit['sessionStatus'],
      sessionDeleted: row.session_deleted === true,
      messageId: String(row.id),
      role: row.role as MessageRole,
      snippet: snippet.replace(/\s+/g, ' ').trim(),
      createdAt: toIso(row.created_at),
      rank: toNumber(row.rank),
    };
  });

  // Attachments and titles are on the first page only; "Show all results" pages messages.
  if (offset === 0) hits.push(...(await attachmentHits(ctx, parsed, input)));
  const titleHits = input.role || offset > 0 ? [] : await searchTitles(ctx, parsed, input.view);
  return { hits: [...titleHits, ...hits], tookMs: performance.now() - started };
}

/** Titles are short, so every word must appear as a substring (trigram index for 3+ chars). */
async function searchTitles(ctx: RepoContext, parsed: ParsedQuery, view: SearchInput['view']): Promise<SearchHit[]> {
  const words = parsed.words.length > 0 ? parsed.words : [parsed.needle.toLowerCase()];
  const conditions = words.map((w) => sql`s.title ILIKE ${`%${escapeLike(w)}%`}`);
  let where: SqlFragment = viewFilter(view);
  for (const c of conditions) where = sql`${where} AND ${c}`;
  const rows = await ctx.db.query(sql`
    SELECT s.id, s.title, s.status, s.deleted_at IS NOT NULL AS deleted, s.last_activity_at
      FROM chat_sessions s WHERE ${where}
     ORDER BY s.last_activity_at DESC LIMIT 5`);
  return rows.map((row) => {
    const title = String(row.title);
    return {
      kind: 'session',
      sessionId: String(row.id),
      sessionTitle: title,
      snippet: markNeedles(stripMarks(title), words),
      sessionStatus: row.status as SearchHit['sessionStatus'],
      sessionDeleted: row.deleted === true,
      messageId: null,
      role: null,
      createdAt: toIso(row.last_activity_at),
      rank: 1,
    };
  });
}

export interface SessionSearchInput {
  sessionId: string;
  q: string;
  limit: number;
}

/**
 * Find in the open chat (Cmd+F): the same matchers as searchMessages (stemmed words, prefix while
 * typing, substrings of 3+ characters), but only over the session's current branch and in branch
 * order, so "next" and "previous" walk the chat. Nothing is ranked: the branch is at most one
 * chat long, so every hit is listed (up to `limit`). Snippets are cut around the first hit in SQL,
 * so long messages never travel whole.
 */
export async function searchInSession(ctx: RepoContext, input: SessionSearchInput): Promise<SessionSearchResult> {
  const started = performance.now();
  const parsed = parseSearchQuery(input.q);
  if (!parsed) return { hits: [], truncated: false, tookMs: 0 };
  const leafRows = await ctx.db.query<{ leaf: string | null }>(sql`
    SELECT coalesce(s.current_leaf_id,
                    (SELECT m.id FROM messages m WHERE m.session_id = s.id
                      ORDER BY m.created_at DESC, m.id DESC LIMIT 1)) AS leaf
      FROM chat_sessions s WHERE s.id = ${input.sessionId}`);
  const leaf = leafRows[0]?.leaf;
  if (!leaf) return { hits: [], truncated: false, tookMs: performance.now() - started };

  // A row that waits for the indexer is parsed here when the cheap substring test keeps it (as in
  // searchMessages): the import's own check searches right after writing, before any indexing,
  // in chats of thousands of messages.
  const tsMatch = parsed.tsquery
    ? sql`CASE WHEN m.search_tsv IS NOT NULL THEN m.search_tsv @@ to_tsquery('english', ${parsed.tsquery})
               WHEN ${wordsAsSubstrings(parsed.words)} THEN ${PENDING_TSV} @@ to_tsquery('english', ${parsed.tsquery})
               ELSE false END`
    : sql`false`;
  const likeMatch = parsed.likePattern ? sql`m.content ILIKE ${parsed.likePattern}` : sql`false`;
  const locateTerms = parsed.words.filter((w) => [...w].length >= 3);
  const rows = await ctx.db.query(sql`
    WITH RECURSIVE branch AS (
      SELECT m.id, m.parent_id FROM messages m WHERE m.id = ${leaf} AND m.session_id = ${input.sessionId}
      UNION ALL
      SELECT m.id, m.parent_id FROM messages m JOIN branch b ON m.id = b.parent_id
    ),
    terms AS (
      SELECT array(SELECT DISTINCT t FROM unnest(${locateTerms}::text[] || tsvector_to_array(to_tsvector('english', ${parsed.words.join(' ')}))) t
                    WHERE char_length(t) >= 3) AS terms
    ),
    hits AS (
      SELECT m.id, m.role, m.depth, m.created_at, m.content FROM messages m JOIN branch b ON b.id = m.id
       WHERE m.deleted_at IS NULL AND (${tsMatch} OR ${likeMatch})
       ORDER BY m.depth
       LIMIT ${input.limit + 1}
    )
    SELECT h.id, h.role, h.created_at, (SELECT terms FROM terms) AS terms,
           substr(h.content, greatest(1, l.pos - ${SNIPPET_RADIUS}), ${SNIPPET_RADIUS * 2 + parsed.needle.length}) AS around
      FROM hits h
      CROSS JOIN LATERAL (SELECT lower(h.content) AS lc) lo
      CROSS JOIN LATERAL (
        SELECT coalesce(nullif(strpos(lo.lc, lower(${parsed.needle})), 0),
                        (SELECT min(p) FROM (SELECT strpos(lo.lc, term) AS p FROM unnest((SELECT terms FROM terms)) term) x
                          WHERE p > 0),
                        1) AS pos) l
     ORDER BY h.depth`);
  const truncated = rows.length > input.limit;
  const hits: SessionSearchHit[] = rows.slice(0, input.limit).map((row) => {
    const terms = Array.isArray(row.terms) ? row.terms.map(String) : [];
    return {
      messageId: String(row.id),
      role: row.role as MessageRole,
      snippet: markAround(stripMarks(String(row.around ?? '')), parsed, terms).replace(/\s+/g, ' ').trim(),
      createdAt: toIso(row.created_at),
    };
  });
  return { hits, truncated, tookMs: performance.now() - started };
}
