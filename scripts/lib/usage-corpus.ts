/**
 * Runs beyond those the chats themselves made (titles, retries, calls from other tools), to bring
 * the bench's generation_runs to the 100k. Deterministic from the corpus plan, so PGlite
 * and native PostgreSQL get the same rows; spread over the corpus's days and sessions with the
 * same providers, models, outcome mix and timings as the chat runs.
 */
import type { CorpusBatch, CorpusRun } from '../../src/main/db/maintenance/bulk';
import { DAY_MS, type CorpusPlan } from './corpus';
import { seededUuidv7 } from './ids';
import { Rng } from './prng';
import { PROVIDERS, RUN_ERRORS } from './words';

/** One run per message: 100k runs for the bench's 100k-message corpus, as the issue asks. */
export function extraRunCount(plan: CorpusPlan, chatRuns: number): number {
  return Math.max(0, plan.options.messages - chatRuns);
}

export function* extraRunBatches(plan: CorpusPlan, count: number, batchSize: number): Generator<Required<CorpusBatch>> {
  const rng = new Rng(plan.options.seed, 7);
  const idRng = new Rng(plan.options.seed, 8);
  const span = plan.options.days * DAY_MS;
  let batch: CorpusRun[] = [];
  for (let i = 0; i < count; i++) {
    const session = rng.pick(plan.sessions);
    const provider = rng.weighted(PROVIDERS.map((p) => [p, p.weight] as const));
    const at = Math.max(session.createdMs, plan.options.nowMs - 60_000 - Math.floor(rng.next() * span));
    const roll = rng.next();
    const status = roll < 0.9 ? 'succeeded' : roll < 0.95 ? 'failed' : roll < 0.99 ? 'cancelled' : 'interrupted';
    const ttftMs = status === 'failed' ? null : rng.int(provider.ttftMs[0], provider.ttftMs[1]);
    const tokensOut = status === 'failed' ? 0 : rng.int(20, 1500);
    const totalMs = (ttftMs ?? 0) + tokensOut * rng.int(provider.msPerToken[0], provider.msPerToken[1]);
    const error = status === 'failed' ? rng.weighted(RUN_ERRORS.map((e) => [e, e.weight] as const)) : null;
    batch.push({
      id: seededUuidv7(at, idRng),
      session_id: session.id,
      message_id: null,
      provider_id: provider.provider,
      model: rng.zipf(provider.models, 1),
      status,
      tokens_in: rng.int(50, 12_000),
      tokens_out: tokensOut,
      ttft_ms: ttftMs,
      total_ms: totalMs,
      error_code: error?.code ?? (status === 'interrupted' ? 'interrupted' : null),
      error_message: error?.message ?? null,
      started_at: new Date(at).toISOString(),
      finished_at: new Date(at + totalMs).toISOString(),
    });
    if (batch.length >= batchSize) {
      yield { sessions: [], messages: [], runs: batch };
      batch = [];
    }
  }
  if (batch.length > 0) yield { sessions: [], messages: [], runs: batch };
}
