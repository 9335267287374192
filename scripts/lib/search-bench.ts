/** Runs the query mix against any engine and summarises the timings by query and by class. */
import type { SearchResult } from '@shared/types';
import { sample } from './measure';
import { QUERY_CLASSES, type BenchQuery, type QueryClass } from './queries';
import { summarize, type Summary } from './stats';

export interface QueryTiming extends BenchQuery {
  samplesMs: number[];
  summary: Summary;
  /** Message hits (title hits excluded), to check that both engines found the same. */
  messageHits: number;
}

export interface ClassTiming {
  cls: QueryClass;
  summary: Summary;
}

export const SEARCH_LIMIT = 20;

export async function timeQueries(
  search: (q: string) => Promise<SearchResult>,
  queries: readonly BenchQuery[],
  runs: number,
  warmups: number,
): Promise<QueryTiming[]> {
  const out: QueryTiming[] = [];
  for (const query of queries) {
    const result = await search(query.q);
    const samplesMs = await sample(() => search(query.q), runs, warmups);
    out.push({ ...query, samplesMs, summary: summarize(samplesMs), messageHits: result.hits.filter((h) => h.kind === 'message').length });
  }
  return out;
}

/** Pools every run of every query in a class, so a class's p95 covers all its queries. */
export function byClass(timings: readonly QueryTiming[]): ClassTiming[] {
  return QUERY_CLASSES.map((cls) => ({
    cls,
    summary: summarize(timings.filter((t) => t.cls === cls).flatMap((t) => t.samplesMs)),
  }));
}
