/** The chat engine's writes: a turn's messages and run in one transaction, titles, and crash recovery. */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import { interruptStreamingMessages } from '../messages/repository';
import { interruptRunningRuns } from '../usage/runs';
import * as generation from './generation';

export const chatService = (ctx: RepoContext) => ({
  'generation.begin': (i: generation.BeginGenerationInput) => generation.beginGeneration(ctx, i),
  'generation.runForMessage': reader((i: { messageId: string }) => generation.runForMessage(ctx, i.messageId)),
  'sessions.setTitleIfEmpty': (i: { id: string; title: string }) => generation.setTitleIfEmpty(ctx, i.id, i.title),
  /** Anything left streaming or running by a crash becomes "interrupted", its text kept. */
  'recovery.interruptUnfinished': async () => ({
    messages: await interruptStreamingMessages(ctx),
    runs: await interruptRunningRuns(ctx),
  }),
});
