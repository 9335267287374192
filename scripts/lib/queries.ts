/**
 * The fixed search mix, by class. Queries are written as a user types them: without a trailing
 * space the last word is searched as a prefix, exactly as in the app.
 */
export type QueryClass = 'common word' | 'rare word' | 'two words' | 'prefix' | 'phrase' | 'non-Latin' | 'no hit';

export interface BenchQuery {
  cls: QueryClass;
  q: string;
}

export const QUERY_MIX: BenchQuery[] = [
  // "data" and forms of "use" each occur in about half the messages.
  { cls: 'common word', q: 'data' },
  { cls: 'common word', q: 'using' },
  { cls: 'rare word', q: 'xylophonist' },
  { cls: 'rare word', q: 'quokka' },
  { cls: 'two words', q: 'replication lag' },
  { cls: 'two words', q: 'sourdough starter' },
  { cls: 'prefix', q: 'postg' },
  { cls: 'prefix', q: 'replic' },
  { cls: 'phrase', q: '"connection pool"' },
  { cls: 'phrase', q: '"train station"' },
  { cls: 'non-Latin', q: 'запрос' },
  { cls: 'non-Latin', q: '数据库' },
  { cls: 'non-Latin', q: 'データベース' },
  { cls: 'no hit', q: 'flurbix' },
  { cls: 'no hit', q: 'qzxv wobbleton' },
];

export const QUERY_CLASSES: QueryClass[] = [...new Set(QUERY_MIX.map((q) => q.cls))];
