import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '@shared/ids';
import { SNIPPET_MARK_END, SNIPPET_MARK_START } from '@shared/types';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { sql } from '../sql';
import { insertCorpus, type CorpusMessage } from '../maintenance/bulk';
import { indexAllSearch } from './indexer';
import type { RepoContext } from '../context';
import { appendMessage } from '../messages/repository';
import { SEARCH_CANDIDATES, markNeedles, parseSearchQuery, searchMessages, type SearchInput } from './repository';
import { createSession, setArchived, trashSession } from '../sessions/repository';

const S = SNIPPET_MARK_START;
const E = SNIPPET_MARK_END;

/** The marked parts of a snippet, lowercased. */
function marked(snippet: string): string[] {
  return [...snippet.matchAll(/\u0002([^\u0002\u0003]*)\u0003/g)].map((m) => m[1]!.toLowerCase());
}

describe('parseSearchQuery', () => {
  it('returns null for empty, whitespace and control-only queries', () => {
    for (const q of ['', ' ', '   \t\n', '\u0000\u0001', '\u0002\u0003 ']) expect(parseSearchQuery(q)).toBeNull();
  });

  it('makes the last word a prefix while it is being typed, and not after a space', () => {
    expect(parseSearchQuery('postg')).toMatchObject({ tsquery: "'postg':*", words: ['postg'], needle: 'postg' });
    expect(parseSearchQuery('keep notes synced')?.tsquery).toBe("'keep' & 'notes' & 'synced':*");
    expect(parseSearchQuery('postg ')?.tsquery).toBe("'postg'");
    expect(parseSearchQuery('postg\t')?.tsquery).toBe("'postg'");
    // The substring matcher agrees: a finished word keeps its trailing space...
    expect(parseSearchQuery('post ')?.likePattern).toBe('%post %');
    expect(parseSearchQuery('post')?.likePattern).toBe('%post%');
    // ...except in scripts written without spaces, and never for too-short text.
    expect(parseSearchQuery('数据库 ')?.likePattern).toBe('%数据库%');
    expect(parseSearchQuery('タワー ')?.likePattern).toBe('%タワー%');
    expect(parseSearchQuery('ab ')?.likePattern ?? null).toBeNull();
  });

  it('does not make a prefix of a word that is followed by punctuation', () => {
    // "100%" is a finished word: it must not become 100:* and match 1000.
    expect(parseSearchQuery('100%')?.tsquery).toBe("'100'");
    expect(parseSearchQuery('hello.')?.tsquery).toBe("'hello'");
    expect(parseSearchQuery('hello wor')?.tsquery).toBe("'hello' & 'wor':*");
  });

  it('turns a quoted query into a phrase without prefixes', () => {
    expect(parseSearchQuery('"quick fox"')).toMatchObject({ tsquery: "'quick' <-> 'fox'", needle: 'quick fox' });
    expect(parseSearchQuery('  "Quick   Fox"  ')?.tsquery).toBe("'quick' <-> 'fox'");
  });

  it('keeps tsquery syntax out: only quoted letter and digit words reach to_tsquery', () => {
    for (const q of ["'", '\\', ':*', '&|!()', '<->', "a' | 'b", "'); DROP TABLE messages; --", 'x:*B & !y']) {
      const p = parseSearchQuery(q);
      if (!p?.tsquery) continue;
      expect(p.tsquery).toMatch(/^'[\p{L}\p{N}]+'(:\*)?( (&|<->) '[\p{L}\p{N}]+'(:\*)?)*$/u);
    }
    expect(parseSearchQuery("'); DROP TABLE messages; --")?.words).toEqual(['drop', 'table', 'messages']);
  });

  it('escapes LIKE wildcards and needs 3 characters for a substring', () => {
    expect(parseSearchQuery('100%')?.likePattern).toBe('%100\\%%');
    expect(parseSearchQuery('a_b')?.likePattern).toBe('%a\\_b%');
    expect(parseSearchQuery('c:\\dir')?.likePattern).toBe('%c:\\\\dir%');
    expect(parseSearchQuery('ab')?.likePattern).toBeNull();
    expect(parseSearchQuery('数据库')?.likePattern).toBe('%数据库%');
    expect(parseSearchQuery('数据')?.likePattern).toBeNull();
    // Code points, not UTF-16 units: two emoji are two characters.
    expect(parseSearchQuery('😀😀')?.likePattern ?? null).toBeNull();
    expect(parseSearchQuery('😀😀😀')?.likePattern).toBe('%😀😀😀%');
  });

  it('caps the number of words', () => {
    const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    expect(parseSearchQuery(many)!.words.length).toBeLessThanOrEqual(16);
  });

  it('keeps combining marks inside words: Hindi, Bengali and decomposed Latin are not split', () => {
    expect(parseSearchQuery('मुंबई')!.words).toEqual(['मुंबई']);
    expect(parseSearchQuery('মুম্বাই শহর')!.words).toEqual(['মুম্বাই', 'শহর']);
    expect(parseSearchQuery('cafe\u0301 au lait')!.words).toEqual(['cafe\u0301', 'au', 'lait']);
    // Still being typed: the prefix covers the word with its marks.
    expect(parseSearchQuery('मुं')!.tsquery).toBe("'मुं':*");
  });

  it('drops control characters, which are the snippet markers', () => {
    const p = parseSearchQuery(`ab${S}c${E}d\u0000e`)!;
    expect(p.needle).not.toMatch(/[\u0000-\u001f]/);
    expect(p.words).toEqual(['ab', 'c', 'd', 'e']);
  });
});

describe('markNeedles', () => {
  it('marks every case-insensitive occurrence, longest needle first', () => {
    expect(markNeedles('Sync and SYNCED and sync', ['sync'])).toBe(`${S}Sync${E} and ${S}SYNC${E}ED and ${S}sync${E}`);
    expect(markNeedles('postgresql and post', ['post', 'postgresql'])).toBe(`${S}postgresql${E} and ${S}post${E}`);
    expect(markNeedles('Привет, ПРИВЕТ', ['привет'])).toBe(`${S}Привет${E}, ${S}ПРИВЕТ${E}`);
  });

  it('treats regex syntax in needles literally and ignores empty needles', () => {
    expect(markNeedles('a+b (c) [d] $e ^f .g * \\h', ['a+b', '(c)', '[d]', '$e', '^f', '.g', '*', '\\h'])).toBe(
      `${S}a+b${E} ${S}(c)${E} ${S}[d]${E} ${S}$e${E} ${S}^f${E} ${S}.g${E} ${S}*${E} ${S}\\h${E}`,
    );
    expect(markNeedles('text', [''])).toBe('text');
    expect(markNeedles('text', [])).toBe('text');
    expect(markNeedles('a.c abc', ['a.c'])).toBe(`${S}a.c${E} abc`);
  });

  it('does not throw on lone surrogates or emoji', () => {
    expect(() => markNeedles('x\uD800y 😀', ['\uD800', '😀', '\uDFFF'])).not.toThrow();
    expect(markNeedles('hi 😀 there', ['😀'])).toBe(`hi ${S}😀${E} there`);
  });
});

describe.each(ENGINES)('searchMessages on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  const sessions: Record<string, string> = {};
  const messages: Record<string, string> = {};

  const search = (q: string, opts: Partial<Omit<SearchInput, 'q'>> = {}) =>
    searchMessages(ctx, {
      q,
      view: opts.view ?? 'all',
      limit: opts.limit ?? 20,
      ...(opts.role ? { role: opts.role } : {}),
    });
  const messageHits = async (q: string, opts: Partial<Omit<SearchInput, 'q'>> = {}) =>
    (await search(q, opts)).hits.filter((h) => h.kind === 'message');
  const hitIds = async (q: string, opts: Partial<Omit<SearchInput, 'q'>> = {}) =>
    (await messageHits(q, opts)).map((h) => h.messageId);

  async function chat(key: string, title: string, contents: [string, string][]) {
    const s = await createSession(ctx, { title });
    sessions[key] = s.id;
    for (const [name, content] of contents) {
      const role = name.startsWith('u') ? 'user' : 'assistant';
      messages[`${key}.${name}`] = (await appendMessage(ctx, { sessionId: s.id, role, content })).id;
    }
    return s.id;
  }

  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
    await chat('sync', 'Notes across devices', [
      ['u', 'How do I keep my notes synced across my laptop and phone?'],
      ['a', 'Enable the option and it runs in the background every minute.'],
    ]);
    await chat('pg', 'Database choice', [
      ['u', 'Is PostgreSQL a good fit for a desktop app?'],
      ['a', 'Yes: PGlite runs it in WASM.'],
    ]);
    await chat('post', 'Mail', [['u', 'The post office opens at nine.']]);
    await chat('fox', 'Animals', [
      ['u1', 'The quick brown fox jumps over the lazy dog.'],
      ['u2', 'A quick fox is faster than a slow one.'],
      ['u3', 'Fox quick, said nobody.'],
    ]);
    await chat('ru', 'Русский', [['u', 'Привет! Синхронизация завершена успешно.']]);
    await chat('cjk', 'CJK', [
      ['u1', '我们的数据库很快。'],
      ['u2', '東京タワーに行きました。'],
    ]);
    await chat('code', 'Code', [
      ['u1', 'First call createRequestHandlerFactory(opts) and then listen.'],
      ['u2', 'Rename my_snake_case_identifier to something shorter.'],
    ]);
    await chat('pct', 'Numbers', [
      ['u1', 'The warehouse holds 1000 units.'],
      ['u2', 'A discount of 100% was applied.'],
      ['u3', 'Value abcXdef is not the same as abc_def here.'],
      ['u4', 'The code is 10_5 or 10x5.'],
    ]);
    await chat('hostile', 'Hostile', [
      ['u', "Robert'); DROP TABLE messages; -- and a \\backslash and :* & | ! ( ) <-> too"],
    ]);
    await chat('emoji', 'Emoji', [['u', 'Party time 🎉🎉🎉 with café crème.']]);
    await chat('hindi', 'मौसम', [['u', 'मुंबई में आज बारिश हो रही है।']]);
    await chat('roles', 'Roles', [
      ['u', 'quokka question from the user'],
      ['a', 'quokka answer from the assistant'],
    ]);
    await chat('titled', 'Kubernetes migration plan', [['u', 'nothing about containers here']]);
    // The same rare word in an active, an archived and a trashed chat, and in a message deleted on its own.
    await chat('vActive', 'zephyrine active chat', [
      ['u', 'zephyrine in an active chat'],
      ['u2', 'zephyrine deleted on its own'],
    ]);
    await t.db.query(sql`UPDATE messages SET deleted_at = now() WHERE id = ${messages['vActive.u2']!}`);
    await chat('vArchived', 'zephyrine archived chat', [['u', 'zephyrine in an archived chat']]);
    await setArchived(ctx, sessions.vArchived!, true);
    await chat('vTrash', 'zephyrine trashed chat', [['u', 'zephyrine in a trashed chat']]);
    await trashSession(ctx, sessions.vTrash!);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stems English: "syncing" finds "synced", with the hit marked', async () => {
    for (const q of ['syncing', 'syncing ', 'sync', 'SYNCS']) {
      const hits = await messageHits(q);
      expect(
        hits.map((h) => h.messageId),
        q,
      ).toContain(messages['sync.u']);
    }
    const [hit] = await messageHits('syncing');
    expect(hit).toMatchObject({
      kind: 'message',
      sessionId: sessions.sync,
      sessionTitle: 'Notes across devices',
      role: 'user',
    });
    expect(marked(hit!.snippet)).toContain('synced');
    expect(hit!.rank).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(hit!.createdAt))).toBe(false);
  });

  it('matches a prefix while typing, and stops after a space', async () => {
    expect(await hitIds('postg')).toEqual([messages['pg.u']]);
    expect(await hitIds('PostgreS')).toEqual([messages['pg.u']]);
    const [hit] = await messageHits('postg');
    expect(marked(hit!.snippet).join(' ')).toContain('postg');
    // "post " is a finished word: the post office, not PostgreSQL.
    expect(await hitIds('post ')).toEqual([messages['post.u']]);
    expect(await hitIds('postg ')).toEqual([]);
    // Scripts without spaces between words: a trailing space changes nothing.
    expect(await hitIds('数据库 ')).toEqual([messages['cjk.u1']]);
    expect(await hitIds('タワー ')).toEqual([messages['cjk.u2']]);
    // Still a substring inside a longer word when typing goes on: "ривет" is not a whole word.
    expect(await hitIds('ривет')).toEqual([messages['ru.u']]);
  });

  it('matches a quoted phrase in order only', async () => {
    expect(await hitIds('"quick fox"')).toEqual([messages['fox.u2']]);
    expect((await hitIds('quick fox')).sort()).toEqual(
      [messages['fox.u1'], messages['fox.u2'], messages['fox.u3']].sort(),
    );
    const [hit] = await messageHits('"quick fox"');
    expect(marked(hit!.snippet)).toEqual(expect.arrayContaining(['quick', 'fox']));
  });

  it('finds substrings of 3+ characters in Cyrillic, CJK and inside identifiers', async () => {
    expect(await hitIds('ривет')).toEqual([messages['ru.u']]);
    expect(await hitIds('ПРИВЕТ')).toEqual([messages['ru.u']]);
    expect(await hitIds('синхрониз')).toEqual([messages['ru.u']]);
    expect(await hitIds('数据库')).toEqual([messages['cjk.u1']]);
    expect(await hitIds('タワー')).toEqual([messages['cjk.u2']]);
    expect(await hitIds('RequestHandler')).toEqual([messages['code.u1']]);
    expect(await hitIds('snake_case_id')).toEqual([messages['code.u2']]);
    expect(await hitIds('crème')).toEqual([messages['emoji.u']]);

    const [ru] = await messageHits('ривет');
    expect(marked(ru!.snippet)).toEqual(['ривет']);
    const [cjk] = await messageHits('数据库');
    expect(marked(cjk!.snippet)).toEqual(['数据库']);
    const [code] = await messageHits('requesthandler');
    expect(marked(code!.snippet)).toEqual(['requesthandler']);
    expect(code!.snippet).toContain('createRequestHandlerFactory'.replace('RequestHandler', `${S}RequestHandler${E}`));
  });

  it('finds a Hindi word with its combining marks, and marks the whole word', async () => {
    const [hit] = await messageHits('मुंबई');
    expect(hit?.messageId).toBe(messages['hindi.u']);
    expect(marked(hit!.snippet)).toEqual(['मुंबई']);
    // Its first letter alone is not the word: no title hit marks "म" inside "मौसम".
    const titles = (await search('मुंबई')).hits.filter((h) => h.kind === 'session');
    expect(titles).toEqual([]);
  });

  it('treats % and _ literally', async () => {
    expect(await hitIds('100%')).toEqual([messages['pct.u2']]);
    expect(await hitIds('abc_def')).toEqual([messages['pct.u3']]);
    expect(await hitIds('10_5')).toEqual([messages['pct.u4']]);
    expect(await hitIds('1000')).toEqual([messages['pct.u1']]);
  });

  it('finds session titles as kind "session"', async () => {
    const result = await search('kubernetes');
    const titles = result.hits.filter((h) => h.kind === 'session');
    expect(titles).toHaveLength(1);
    expect(titles[0]).toMatchObject({
      sessionId: sessions.titled,
      messageId: null,
      role: null,
      sessionTitle: 'Kubernetes migration plan',
    });
    expect(marked(titles[0]!.snippet)).toEqual(['kubernetes']);
    expect(result.hits.filter((h) => h.kind === 'message')).toEqual([]);
    // Every word must be in the title.
    expect((await search('migration kube')).hits.filter((h) => h.kind === 'session').map((h) => h.sessionId)).toEqual([
      sessions.titled,
    ]);
    expect((await search('migration banana')).hits.filter((h) => h.kind === 'session')).toEqual([]);
  });

  it('searches the chosen view: trash finds messages of trashed chats only there', async () => {
    const view = async (v: SearchInput['view']) => {
      const hits = (await search('zephyrine', { view: v })).hits;
      return {
        messages: hits
          .filter((h) => h.kind === 'message')
          .map((h) => h.messageId)
          .sort(),
        titles: hits
          .filter((h) => h.kind === 'session')
          .map((h) => h.sessionId)
          .sort(),
        hits,
      };
    };
    const active = await view('active');
    expect(active.messages).toEqual([messages['vActive.u']]);
    expect(active.titles).toEqual([sessions.vActive]);
    const archived = await view('archived');
    expect(archived.messages).toEqual([messages['vArchived.u']]);
    expect(archived.titles).toEqual([sessions.vArchived]);
    expect(archived.hits.every((h) => h.sessionStatus === 'archived' && !h.sessionDeleted)).toBe(true);
    const trash = await view('trash');
    expect(trash.messages).toEqual([messages['vTrash.u']]);
    expect(trash.titles).toEqual([sessions.vTrash]);
    expect(trash.hits.every((h) => h.sessionDeleted)).toBe(true);
    const all = await view('all');
    expect(all.messages).toEqual([messages['vActive.u'], messages['vArchived.u']].sort());
    expect(all.titles).toEqual([sessions.vActive, sessions.vArchived].sort());
    // The message deleted on its own is nowhere, not even in the trash.
    for (const v of [active, archived, trash, all]) expect(v.messages).not.toContain(messages['vActive.u2']);
  });

  it('filters by role, and then shows no title hits', async () => {
    expect(await hitIds('quokka', { role: 'user' })).toEqual([messages['roles.u']]);
    expect(await hitIds('quokka', { role: 'assistant' })).toEqual([messages['roles.a']]);
    expect((await hitIds('quokka')).sort()).toEqual([messages['roles.u'], messages['roles.a']].sort());
    const titled = await search('roles', { role: 'user' });
    expect(titled.hits.filter((h) => h.kind === 'session')).toEqual([]);
  });

  it('returns nothing for an empty or whitespace query', async () => {
    for (const q of ['', '   ', '\t\n', '\u0000']) {
      const r = await search(q);
      expect(r.hits).toEqual([]);
    }
  });

  it('never throws on hostile input, and never runs it', async () => {
    const hostile = [
      "'",
      "''",
      "'''",
      '\\',
      '\\\\\\',
      '%',
      '%%%',
      '_',
      '___',
      ':*',
      'a:*',
      ':*:*:*',
      '&|!()',
      '<->',
      'a <-> b',
      '!!!',
      '((((',
      ')))',
      "'); DROP TABLE messages; --",
      '"; DROP TABLE messages; --',
      '$1 $2 $$',
      "E'\\x00'",
      '"',
      '"unbalanced',
      '""',
      '"""',
      '" "',
      '🎉',
      '🎉🎉🎉',
      '\uD800',
      'ab\uD800cd',
      '\uDFFF\uD800\uDBFF',
      'x\u0000y\u0000z',
      '\u0001\u0002\u0003abc',
      'a'.repeat(1000),
      'word '.repeat(200),
      'supercalifragilistic'.repeat(150),
      '数'.repeat(1000),
      "' & ' | ' ! '",
      'the a of',
      'NULL',
      'null::tsquery',
      'to_tsquery(',
      '*',
      'f*o*o',
      '[a-z]+',
      '.*',
    ];
    for (const q of hostile) {
      for (const view of ['all', 'trash'] as const) {
        const r = await search(q, { view }).catch((e: unknown) => {
          throw new Error(`search ${JSON.stringify(q)} threw: ${String(e)}`);
        });
        expect(Array.isArray(r.hits)).toBe(true);
        for (const h of r.hits) expect(typeof h.snippet).toBe('string');
      }
    }
    // The literal text is found as text; the table is still there.
    expect(await hitIds("'); DROP TABLE messages; --")).toContain(messages['hostile.u']);
    expect(await hitIds(':* & | !')).toEqual([messages['hostile.u']]);
    expect(await hitIds('\\backslash')).toEqual([messages['hostile.u']]);
    expect(await hitIds('🎉🎉🎉')).toEqual([messages['emoji.u']]);
    const count = await t.db.query<{ n: unknown }>(sql`SELECT count(*) AS n FROM messages`);
    expect(Number(count[0]!.n)).toBeGreaterThan(10);
  });

  it('marks hits deep inside a long message', async () => {
    const long = `${'filler words go here. '.repeat(500)}The quixotically synced marker sits deep inside. ${'more filler. '.repeat(100)}`;
    const id = (
      await appendMessage(ctx, {
        sessionId: sessions.pct!,
        parentId: null,
        role: 'user',
        content: long,
        makeCurrent: false,
      })
    ).id;
    const [exact] = (await messageHits('quixotically')).filter((h) => h.messageId === id);
    expect(marked(exact!.snippet)).toEqual(['quixotically']);
    expect(exact!.snippet.length).toBeLessThan(600);
    const [twoWords] = (await messageHits('quixotic synced')).filter((h) => h.messageId === id);
    expect(twoWords).toBeDefined();
    expect(marked(twoWords!.snippet)).toEqual(expect.arrayContaining(['quixotically', 'synced']));
    // Found only by its stem: "syncing" -> sync, shown as the "synced" it matched.
    const [stemmed] = (await messageHits('syncing ')).filter((h) => h.messageId === id);
    expect(marked(stemmed!.snippet)).toContain('synced');
    expect(stemmed!.snippet).toContain('quixotically');

    // Past the 200k characters the tsvector covers, the substring matcher still finds and marks it.
    const huge = `${'lorem ipsum dolor sit amet '.repeat(10_000)} the zqxjvk token at the very end`;
    const hugeId = (
      await appendMessage(ctx, {
        sessionId: sessions.pct!,
        parentId: null,
        role: 'user',
        content: huge,
        makeCurrent: false,
      })
    ).id;
    const [far] = await messageHits('zqxjvk');
    expect(far?.messageId).toBe(hugeId);
    expect(marked(far!.snippet)).toEqual(['zqxjvk']);
  });

  it('keeps rare terms exact when a common word has more than SEARCH_CANDIDATES matches', async () => {
    const sessionId = uuidv7();
    const base = Date.parse('2026-03-01T00:00:00Z');
    const rows: CorpusMessage[] = [];
    const message = (content: string, at: number, parent: string | null, depth: number): CorpusMessage => ({
      id: uuidv7(),
      session_id: sessionId,
      parent_id: parent,
      depth,
      role: 'user',
      content,
      status: 'complete',
      model: null,
      provider_id: null,
      tokens_in: null,
      tokens_out: null,
      latency_ms: null,
      created_at: new Date(at).toISOString(),
    });
    // The rare words live only in the oldest messages.
    const oldest = message(
      'An ancient note about the xylophonist and the Щедрость of 蟋蟀 crickets, plus bananarama.',
      base - 86_400_000 * 365,
      null,
      0,
    );
    rows.push(oldest);
    let parent = oldest.id;
    for (let i = 0; i < SEARCH_CANDIDATES + 80; i++) {
      const m = message(`bananarama update number ${i} about the weather`, base + i * 1000, parent, i + 1);
      rows.push(m);
      parent = m.id;
    }
    await insertCorpus(ctx, {
      sessions: [
        {
          id: sessionId,
          title: 'Many bananas',
          status: 'active',
          pinned: false,
          tags: [],
          provider_id: null,
          model: null,
          current_leaf_id: parent,
          created_at: new Date(base).toISOString(),
          last_activity_at: new Date(base).toISOString(),
        },
      ],
      messages: rows,
    });
    await t.db.exec('ANALYZE');
    const check = async (state: string) => {
      for (const q of [
        'xylophonist',
        'xylophon',
        'Щедрость',
        'едрост',
        '蟋蟀 crickets',
        'bananarama xylophonist',
        'ancient note',
      ]) {
        expect(await hitIds(q), `${q} (${state})`).toEqual([oldest.id]);
      }
      const common = await messageHits('bananarama', { limit: 50 });
      expect(common).toHaveLength(50);
      expect(new Set(common.map((h) => h.messageId)).size).toBe(50);
    };
    // insertCorpus defers search indexing: the same answers while the rows wait and after.
    await check('waiting for the indexer');
    expect(await indexAllSearch(t.db)).toBe(rows.length);
    await check('indexed');
  });
});
