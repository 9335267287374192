/**
 * Runs the query mix against one or more engines and summarises the timings by query and by
 * class. With several engines the runs alternate (PGlite, native, PGlite, ...), so a change in
 * machine load during the bench hits both sides of the ratio alike.
 */
import type { SearchResult } from '@shared/types';
import { timeOnce } from './measure';
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

export type SearchFn = (q: string) => Promise<SearchResult>;

export const SEARCH_LIMIT = 20;

export async function timeQueries(engines: readonly SearchFn[], queries: readonly BenchQuery[], runs: number, warmups: number): Promise<QueryTiming[][]> {
  const out: QueryTiming[][] = engines.map(() => []);
  for (const query of queries) {
    const hits: number[] = [];
    for (const search of engines) {
      const result = await search(query.q);
      hits.push(result.hits.filter((h) => h.kind === 'message').length);
      for (let i = 1; i < warmups; i++) await search(query.q);
    }
    const samples: number[][] = engines.map(() => []);
    for (let i = 0; i < runs; i++) {
      for (const [e, search] of engines.entries()) samples[e]!.push((await timeOnce(() => search(query.q))).ms);
    }
    engines.forEach((_, e) => {
      const samplesMs = samples[e]!;
      out[e]!.push({ ...query, samplesMs, summary: summarize(samplesMs), messageHits: hits[e]! });
    });
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
