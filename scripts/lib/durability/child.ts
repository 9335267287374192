/**
 * The crash bench's writer: the app's core on a data dir, doing what a busy Confab does (a reply
 * streaming from a model while bulk writes keep the DB worker's queue full), until the parent
 * kills the whole process with SIGKILL. It runs as `bench.js --durability-child <config>`.
 */
import { startCore } from '../../../src/main/core/core';
import { dispatch } from '../../../src/main/core/dispatch';
import { keyFileCipher } from '../../../src/main/secrets/keyFileCipher';
import { batchCorpus, defaultCorpusOptions, generateSessions, planCorpus } from '../corpus';
import { decodeConfig, type WriterReport } from './protocol';

const report = (message: WriterReport) => process.send?.(message);

async function call(core: Awaited<ReturnType<typeof startCore>>, method: string, input: unknown) {
  const envelope = await dispatch(core.handlers, method, input);
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.message}`);
  return envelope.value as Record<string, unknown>;
}

export async function runDurabilityChild(encoded: string): Promise<void> {
  const config = decodeConfig(encoded);
  try {
    const core = await startCore({
      dataDir: config.dataDir,
      paths: config.paths,
      host: 'web',
      version: 'bench',
      cipher: keyFileCipher(config.dataDir),
      detectLocalProviders: false,
      retention: false,
    });
    const provider = await call(core, 'providers.create', {
      preset: 'custom',
      name: 'crash bench',
      baseUrl: config.openaiBaseUrl,
      defaultModel: 'bench-model',
    });
    await call(core, 'settings.setChat', {
      defaultProviderId: provider.id,
      defaultModel: 'bench-model',
      autoTitle: false,
    });
    const session = await call(core, 'sessions.create', { title: 'crash bench' });
    let chars = 0;
    core.events.subscribe((name, payload) => {
      if (name !== 'chat.delta') return;
      const delta = payload as { sessionId: string; text: string };
      if (delta.sessionId !== session.id) return;
      chars += delta.text.length;
      report({ type: 'streamed', chars });
    });
    const sent = await call(core, 'chat.send', { sessionId: session.id, content: 'A long answer, please.' });
    const assistant = sent.assistantMessage as { id: string };
    // The saved reply, read every 50 ms as urgently as the saves themselves (periodic saves of a
    // streaming reply announce no change; chat.delta does): text at risk and gaps between saves.
    let savedChars = 0;
    // From the first save on: before it the gap would count the worker's start-up too.
    let lastSaveAt = 0;
    let maxGapMs = 0;
    let polling = false;
    const pollTimer = setInterval(() => {
      if (polling) return;
      polling = true;
      void core.db
        .call('messages.get', { id: assistant.id }, { priority: 'high' })
        .then((saved) => {
          const now = performance.now();
          if (saved.content.length > savedChars) {
            if (lastSaveAt) maxGapMs = Math.max(maxGapMs, now - lastSaveAt);
            lastSaveAt = now;
            savedChars = saved.content.length;
          }
          report({ type: 'atRisk', chars: Math.max(0, chars - saved.content.length), maxGapMs });
        })
        .catch(() => {})
        .finally(() => (polling = false));
    }, 50);

    const plan = planCorpus(
      defaultCorpusOptions({
        seed: config.seed,
        sessions: 2000,
        messages: 200_000,
        bigSession: 50,
        nowMs: config.nowMs,
        specials: false,
      }),
    );
    const batches = batchCorpus(generateSessions(plan), config.batchSize);
    const insertNext = async (): Promise<void> => {
      const next = batches.next();
      if (next.done) return;
      const batch = next.value;
      await core.db.call('bulk.insertCorpus', batch);
      report({ type: 'acked', messageId: batch.messages.at(-1)!.id, messages: batch.messages.length });
      return insertNext();
    };
    const lanes = Array.from({ length: config.inFlight }, () => insertNext());
    // The WAL a crash would replay, now and then (a reader: it never waits for the bulk writes' turn
    // any longer than a save would).
    const walTimer = setInterval(() => {
      void core.db.call('durability.walStatus', undefined).then(
        (s) => report({ type: 'wal', bytes: s.walSinceCheckpointBytes }),
        () => {},
      );
    }, 250);
    report({ type: 'working', sessionId: String(session.id), messageId: assistant.id });
    await Promise.all(lanes);
    clearInterval(walTimer);
    clearInterval(pollTimer);
    report({ type: 'failed', error: 'the bulk corpus ran out before the kill' });
  } catch (err) {
    report({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}
