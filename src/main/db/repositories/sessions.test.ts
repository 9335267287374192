import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { appendMessage } from './messages';
import { createSession, getSession, listSessions, restoreSession, setPinned, trashSession } from './sessions';

describe.each(ENGINES)('sessions on %s', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps message counters and restores exactly what trash removed', async () => {
    const ctx = { db: t.db, ownerId: t.ownerId };
    const s = await createSession(ctx, { title: 'Trip' });
    await appendMessage(ctx, { sessionId: s.id, role: 'user', content: 'hi' });
    await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: 'hello' });
    expect((await getSession(ctx, s.id)).messageCount).toBe(2);
    await trashSession(ctx, s.id);
    expect((await getSession(ctx, s.id)).messageCount).toBe(0);
    const restored = await restoreSession(ctx, s.id);
    expect(restored.deletedAt).toBeNull();
    expect((await getSession(ctx, s.id)).messageCount).toBe(2);
    await setPinned(ctx, s.id, true);
    const page = await listSessions(ctx, { view: 'active', limit: 10 });
    expect(page.items[0]?.id).toBe(s.id);
    expect(page.items[0]?.lastMessagePreview).toBe('hello');
  });
});
