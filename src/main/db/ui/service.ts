/** The worker's ui.* methods: view state kept on this device. */
import type { ParsedInput } from '@shared/contract';
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as ui from './repository';

export const uiService = (ctx: RepoContext) => ({
  'ui.get': reader((i: ParsedInput<'ui.get'>) => ui.getUiState(ctx, i.key)),
  'ui.set': (i: ParsedInput<'ui.set'>) => ui.setUiState(ctx, i.key, i.value),
});
