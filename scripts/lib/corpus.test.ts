import { describe, expect, it } from 'vitest';
import { batchCorpus, defaultCorpusOptions, generateSessions, planCorpus, RARE_WORDS, type SessionRows } from './corpus';

const options = defaultCorpusOptions({ seed: 7, sessions: 60, messages: 4000, bigSession: 1000, nowMs: Date.UTC(2026, 10, 1) });
const generate = () => [...generateSessions(planCorpus(options))];

describe('synthetic corpus', () => {
  const sessions: SessionRows[] = generate();
  const messages = sessions.flatMap((s) => s.messages);

  it('is a pure function of its options', () => {
    const again = generate();
    expect(again.map((s) => s.session)).toEqual(sessions.map((s) => s.session));
    expect(again.flatMap((s) => s.messages.map((m) => m.id + m.content.length))).toEqual(messages.map((m) => m.id + m.content.length));
  });

  it('has exactly the requested sessions and messages, one of them the big session', () => {
    expect(sessions).toHaveLength(60);
    expect(messages).toHaveLength(4000);
    expect(sessions.filter((s) => s.messages.length === 1000)).toHaveLength(1);
    expect(new Set(messages.map((m) => m.id)).size).toBe(4000);
  });

  it('makes valid trees: parents in the same session, depth = parent depth + 1, current leaf is a leaf', () => {
    for (const { session, messages: rows } of sessions) {
      const byId = new Map(rows.map((m) => [m.id, m]));
      const parents = new Set(rows.map((m) => m.parent_id));
      for (const m of rows) {
        const parent = m.parent_id ? byId.get(m.parent_id) : undefined;
        if (m.parent_id) expect(parent?.depth).toBe(m.depth - 1);
        else expect(m.depth).toBe(0);
        if (parent) expect(parent.role).not.toBe(m.role);
      }
      expect(session.current_leaf_id && byId.has(session.current_leaf_id)).toBeTruthy();
      expect(parents.has(session.current_leaf_id)).toBe(false);
    }
  });

  it('has branches, cancelled answers, failed runs, archived and pinned sessions', () => {
    const childCounts = new Map<string | null, number>();
    for (const m of messages) childCounts.set(`${m.session_id}:${m.parent_id}`, (childCounts.get(`${m.session_id}:${m.parent_id}`) ?? 0) + 1);
    expect([...childCounts.values()].some((n) => n > 1)).toBe(true);
    expect(messages.some((m) => m.status === 'cancelled')).toBe(true);
    const runs = sessions.flatMap((s) => s.runs);
    expect(runs.some((r) => r.status === 'failed' && r.error_code)).toBe(true);
    expect(sessions.some((s) => s.session.status === 'archived')).toBe(true);
    expect(sessions.some((s) => s.session.pinned)).toBe(true);
    const oldest = Math.min(...runs.map((r) => Date.parse(r.started_at)));
    expect(oldest).toBeGreaterThanOrEqual(options.nowMs - 90 * 86_400_000);
    expect(Math.max(...runs.map((r) => Date.parse(r.finished_at ?? r.started_at)))).toBeLessThanOrEqual(options.nowMs);
  });

  it('plants each rare word in exactly its number of messages and one ~1 MB message', () => {
    for (const [word, count] of Object.entries(RARE_WORDS)) {
      expect(messages.filter((m) => m.content.includes(word))).toHaveLength(count);
    }
    expect(Math.max(...messages.map((m) => m.content.length))).toBeGreaterThan(800_000);
  });

  it('mixes in non-Latin scripts', () => {
    const nonLatin = messages.filter((m) => /\p{Script=Cyrillic}|\p{Script=Greek}|\p{Script=Arabic}|\p{Script=Devanagari}|\p{Script=Han}|\p{Script=Katakana}/u.test(m.content));
    expect(nonLatin.length / messages.length).toBeGreaterThan(0.05);
  });

  it('batches whole sessions', () => {
    const batches = [...batchCorpus(sessions, 500)];
    expect(batches.reduce((n, b) => n + b.messages.length, 0)).toBe(4000);
    for (const b of batches) {
      const ids = new Set(b.sessions.map((s) => s.id));
      expect(b.messages.every((m) => ids.has(m.session_id))).toBe(true);
    }
  });
});
