/** The chat engine's writes: a turn's messages and run in one transaction, titles, and crash recovery. */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import { interruptStreamingMessages } from '../messages/repository';
import { interruptRunningRuns } from '../usage/runs';
import * as generation from './generation';
import { refuseUnlessOwnSession } from '../sync/readOnly';

export const chatService = (ctx: RepoContext) => ({
  // Send, edit, regenerate and retry all start here: a teammate's shared chat takes none of them.
  'generation.begin': async (i: generation.BeginGenerationInput) => {
    await refuseUnlessOwnSession(ctx, i.sessionId);
    return generation.beginGeneration(ctx, i);
  },
  'generation.runForMessage': reader((i: { messageId: string }) => generation.runForMessage(ctx, i.messageId)),
  'sessions.setTitleIfEmpty': (i: { id: string; title: string }) => generation.setTitleIfEmpty(ctx, i.id, i.title),
  /** Anything left streaming or running by a crash becomes "interrupted", its text kept. */
  'recovery.interruptUnfinished': async () => ({
    messages: await interruptStreamingMessages(ctx),
    runs: await interruptRunningRuns(ctx),
  }),
});
