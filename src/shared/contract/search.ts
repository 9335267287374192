import { z } from 'zod';
import { SEARCH_QUERY_MAX_CHARS } from '../limits';
import type { SearchResult, SessionSearchResult } from '../types';
import { id, limit } from './fields';
import { method } from './spec';

export const searchMethods = {
  'search.query': method<SearchResult>()(
    z
      .object({
        q: z.string().max(SEARCH_QUERY_MAX_CHARS),
        /** team: chats shared with the team (teammates' and this user's own shared ones). */
        view: z.enum(['active', 'archived', 'trash', 'all', 'team']).default('all'),
        role: z.enum(['user', 'assistant']).optional(),
        limit: limit(100, 20),
        /** Message hits to skip, for "Show all results"; ranking looks at 400 candidates at most. */
        offset: z.number().int().min(0).max(400).optional(),
      })
      .strict(),
  ),
  /** Find in the open chat: matches on the session's current branch, in branch order. */
  'search.inSession': method<SessionSearchResult>()(
    z.object({ sessionId: id, q: z.string().max(SEARCH_QUERY_MAX_CHARS), limit: limit(2000, 500) }).strict(),
  ),
};

export const searchEvents = {};
