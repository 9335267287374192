/**
 * The DB worker's sync steps (see local.ts): each a short call, so a round never holds the
 * worker for longer than one batch. Called by the SyncService in main (src/main/sync/service.ts).
 */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as local from './local';

export const syncService = (ctx: RepoContext) => ({
  'sync.readState': () => local.readState(ctx.db),
  'sync.afterHello': async (i: local.HelloOutcome) => {
    const answer = await local.afterHello(ctx.db, i);
    // After the first handshake this device's user is the server's: every later write (a new
    // chat, a reply) is owned by it, or the server would refuse it as someone else's.
    ctx.ownerId = i.userId;
    return answer;
  },
  'sync.stagePending': (i: { limit: number; afterNo?: number }) => local.stagePending(ctx.db, i.limit, i.afterNo),
  'sync.recordAck': (i: { through: number; rejected: local.RejectedMutation[] }) => local.recordAck(ctx.db, i),
  'sync.renumberPending': (i: { firstNo: number }) => local.renumberPending(ctx.db, i.firstNo),
  'sync.renewClientId': () => local.renewClientId(ctx.db),
  'sync.correctClock': (i: { offsetMs: number }) => local.correctClockStep(ctx.db, i.offsetMs),
  'sync.applyBatch': (i: local.PulledBatch) => local.applyBatch(ctx.db, i),
  'sync.resetCursor': () => local.resetCursor(ctx.db),
  'sync.applySnapshot': (i: local.SnapshotInput) => local.applySnapshot(ctx.db, i),
  'sync.markSynced': () => local.markSynced(ctx.db),
  'sync.summary': reader(() => local.summary(ctx.db)),
  'sync.rejectedChange': reader((i: { no: number }) => local.rejectedChange(ctx.db, i.no)),
  'sync.useServerVersion': (i: { no: number; tbl: string; pk: unknown[]; row: Record<string, unknown> | null }) =>
    local.useServerVersion(ctx.db, i),
  'sync.setLink': (i: { displayUrl: string | null; sealedUrl: Uint8Array | null }) => local.setLink(ctx.db, i),
  'sync.sealedLink': reader(() => local.sealedLink(ctx.db)),
});
