import { useEffect, useRef, useState } from 'react';
import type { MethodInput } from '@shared/contract';
import type { SearchHit } from '@shared/types';
import { useAppStore } from '../../app/context';
import type { PaletteQuery } from './query';

/** Hits per search: about what the palette shows without scrolling. Every hit costs a snippet in SQL and a row to render, and the target is results within 50 ms of a key; refining the words beats scrolling. */
export const SEARCH_LIMIT = 12;
/** Message hits per "Show all results" page; the search ranks 400 candidates at most. */
export const MORE_LIMIT = 100;
const MAX_OFFSET = 400;

export interface PaletteSearch {
  hits: SearchHit[];
  searching: boolean;
  /** The last page of message hits was full: there may be more. */
  hasMore: boolean;
  loadingMore: boolean;
  /** "Show all results": the next page of message hits for the same text, added below. */
  showMore(): void;
}

const messageCount = (hits: readonly SearchHit[]) => hits.filter((h) => h.kind === 'message').length;

/**
 * Searches as you type with no delay: a search starts at once when none is running; while one
 * runs, only the newest text waits and goes next. A fixed debounce would add its whole delay to
 * every keystroke (the target is results within 50 ms of a key), and firing one search per key
 * would queue them in the DB worker, so the last answer would come late.
 */
export function usePaletteSearch(query: PaletteQuery): PaletteSearch {
  const searchAll = useAppStore((s) => s.searchAll);
  const [state, setState] = useState<{ key: string; hits: SearchHit[]; hasMore: boolean }>({
    key: '',
    hits: [],
    hasMore: false,
  });
  const [loadingMore, setLoadingMore] = useState(false);
  const text = query.text;
  const key = JSON.stringify([text, query.view, query.role]);
  const empty = text.trim() === '';
  const latestKey = useRef(key);
  const waiting = useRef<{ key: string; input: MethodInput<'search.query'> } | null>(null);
  const running = useRef(false);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  useEffect(() => {
    latestKey.current = key;
    if (empty) {
      waiting.current = null;
      return;
    }
    waiting.current = {
      key,
      input: { q: text, view: query.view, ...(query.role ? { role: query.role } : {}), limit: SEARCH_LIMIT },
    };
    if (running.current) return;
    running.current = true;
    void (async () => {
      for (let next = waiting.current; next; next = waiting.current) {
        waiting.current = null;
        const result = await searchAll(next.input);
        // An answer for text the user has already changed is not shown; the newer one follows.
        if (mounted.current && next.key === latestKey.current) {
          const hits = result?.hits ?? [];
          setState({ key: next.key, hits, hasMore: messageCount(hits) >= SEARCH_LIMIT });
        }
      }
      running.current = false;
    })();
  }, [key, text, empty, query.view, query.role, searchAll]);

  const showMore = () => {
    if (empty || loadingMore || state.key !== key || !state.hasMore) return;
    const offset = messageCount(state.hits);
    if (offset >= MAX_OFFSET) return;
    const forKey = key;
    setLoadingMore(true);
    void (async () => {
      const input = { q: text, view: query.view, ...(query.role ? { role: query.role } : {}) };
      const result = await searchAll({ ...input, limit: MORE_LIMIT, offset });
      if (!mounted.current) return;
      setLoadingMore(false);
      if (!result || forKey !== latestKey.current) return;
      const more = result.hits.filter((h) => h.kind === 'message');
      setState((s) => {
        if (s.key !== forKey) return s;
        const known = new Set(s.hits.map((h) => h.messageId));
        const added = more.filter((h) => !known.has(h.messageId));
        return { key: s.key, hits: [...s.hits, ...added], hasMore: more.length >= MORE_LIMIT };
      });
    })();
  };

  if (empty) return { hits: [], searching: false, hasMore: false, loadingMore: false, showMore };
  // While the next answer is on its way the previous hits stay, so the list does not flicker.
  const current = state.key === key;
  return { hits: state.hits, searching: !current, hasMore: current && state.hasMore, loadingMore, showMore };
}
