import { useEffect, useRef, useState } from 'react';
import type { MethodInput } from '@shared/contract';
import type { SearchHit } from '@shared/types';
import { useAppStore } from '../../app/context';
import type { PaletteQuery } from './query';

/** Hits per search: about what the palette shows without scrolling. Every hit costs a snippet in SQL and a row to render, and the target is results within 50 ms of a key; refining the words beats scrolling. */
const SEARCH_LIMIT = 12;

/**
 * Searches as you type with no delay: a search starts at once when none is running; while one
 * runs, only the newest text waits and goes next. A fixed debounce would add its whole delay to
 * every keystroke (the target is results within 50 ms of a key), and firing one search per key
 * would queue them in the DB worker, so the last answer would come late.
 */
export function usePaletteSearch(query: PaletteQuery): { hits: SearchHit[]; searching: boolean } {
  const searchAll = useAppStore((s) => s.searchAll);
  const [state, setState] = useState<{ key: string; hits: SearchHit[] }>({ key: '', hits: [] });
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
        if (mounted.current && next.key === latestKey.current) setState({ key: next.key, hits: result?.hits ?? [] });
      }
      running.current = false;
    })();
  }, [key, text, empty, query.view, query.role, searchAll]);

  if (empty) return { hits: [], searching: false };
  // While the next answer is on its way the previous hits stay, so the list does not flicker.
  return { hits: state.hits, searching: state.key !== key };
}
