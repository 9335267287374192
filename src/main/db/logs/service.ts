/** The worker's logs.* methods: app_logs for views, and the writer jobs use. */
import type { ParsedInput } from '@shared/contract';
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as logs from './repository';

export const logsService = (ctx: RepoContext) => ({
  'logs.recent': reader((i: ParsedInput<'logs.recent'>) => logs.listLogs(ctx, i)),
});
