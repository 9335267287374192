/**
 * Issue 3's streaming bench: a reply streaming at about 1,000 deltas/s from a real local
 * OpenAI-compatible server (the same fake the tests use), through the real provider, runner and
 * DB writes, while searches run back to back in the worker. What is measured is the main
 * thread's event-loop delay: the thread that carries IPC, the stream and window handling.
 */
import type { Core } from '../../src/main/core/core';
import { dispatch } from '../../src/main/core/dispatch';
import { startFakeLlm } from '../../tests/helpers/fakeLlm';
import { eventLoopDelayDuring, type LoopDelay } from './measure';
import type { BenchQuery } from './queries';

export interface StreamingLoopDelay extends LoopDelay {
  deltas: number;
  deltasPerSecond: number;
  searches: number;
  status: string;
}

async function call(core: Core, method: string, input: unknown): Promise<Record<string, unknown>> {
  const envelope = await dispatch(core.handlers, method, input);
  if (!envelope.ok) throw new Error(`${method}: ${envelope.error.message}`);
  return envelope.value as Record<string, unknown>;
}

export async function streamingLoopDelay(core: Core, queries: readonly BenchQuery[], deltaCount = 3000): Promise<StreamingLoopDelay> {
  const fake = await startFakeLlm({ models: ['bench-model'] });
  try {
    const provider = await call(core, 'providers.create', {
      preset: 'custom',
      name: 'bench stream',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'bench-model',
    });
    await call(core, 'settings.setChat', { defaultProviderId: provider.id, defaultModel: 'bench-model', autoTitle: false });
    const session = await call(core, 'sessions.create', { title: 'bench streaming' });
    // One short word per chunk, 1 ms apart: about 1,000 deltas a second.
    fake.enqueue({ kind: 'slow', chunks: Array.from({ length: deltaCount }, (_, i) => `w${i % 97} `), delayMs: 1 });

    let deltas = 0;
    let status = 'unknown';
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const unsubscribe = core.events.subscribe((name, payload) => {
      const p = payload as { sessionId?: string; status?: string };
      if (p.sessionId !== session.id) return;
      if (name === 'chat.delta') deltas += 1;
      if (name === 'chat.done') {
        status = String(p.status);
        finish();
      }
    });
    let searches = 0;
    let streamMs = 0;
    const delay = await eventLoopDelayDuring(async () => {
      const started = performance.now();
      await call(core, 'chat.send', { sessionId: session.id, content: 'Stream a long answer, please.' });
      let done = false;
      void finished.then(() => {
        done = true;
        streamMs = performance.now() - started;
      });
      while (!done) {
        await core.db.call('search.query', { q: queries[searches % queries.length]!.q, view: 'all', limit: 20 });
        searches += 1;
      }
    });
    unsubscribe();
    return { ...delay, deltas, deltasPerSecond: deltas / (streamMs / 1000), searches, status };
  } finally {
    await fake.close();
  }
}
