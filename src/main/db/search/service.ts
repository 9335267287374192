/** The worker's search.* methods. */
import type { ParsedInput } from '@shared/contract';
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as search from './repository';

export const searchService = (ctx: RepoContext) => ({
  'search.query': reader((i: ParsedInput<'search.query'>) => search.searchMessages(ctx, i)),
  'search.inSession': reader((i: ParsedInput<'search.inSession'>) => search.searchInSession(ctx, i)),
});
