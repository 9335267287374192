import '../../test/setup';
import { render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { StoreProvider } from '../../app/context';
import { createAppStore } from '../../app/store';
import { fakeApi, type FakeApi } from '../../test/fakeApi';
import { aSummary, onePage } from '../../test/seed';
import { someSessionUsage } from '../../test/usageSeed';
import { SessionUsagePanel } from './SessionUsagePanel';

function renderPanel(fake: FakeApi, sessionId: string) {
  const store = createAppStore(fake.api);
  const view = render(
    <StoreProvider store={store}>
      <SessionUsagePanel sessionId={sessionId} />
    </StoreProvider>,
  );
  return { store, ...view };
}

const fact = (term: string) => screen.getByText(term).nextElementSibling?.textContent;

describe('SessionUsagePanel', () => {
  it("shows a chat's tokens, cost, requests and models", async () => {
    const s = aSummary({ title: 'Chat' });
    const fake = fakeApi({
      'usage.session': () => ({
        ...someSessionUsage(s.id),
        runs: 12,
        succeeded: 11,
        failed: 1,
        tokensIn: 45_300,
        tokensOut: 2_100,
        costUsd: 0.42,
        unpricedTokens: 900,
        models: ['gpt-4o', 'llama3.1:8b'],
      }),
    });
    renderPanel(fake, s.id);
    await screen.findByText('Input tokens');
    expect(fact('Input tokens')).toBe('45.3K');
    expect(fact('Output tokens')).toBe('2.1K');
    expect(fact('Estimated cost')).toBe('$0.42 + 900 tokens with no price');
    expect(fact('Requests')).toBe('12 (1 failed)');
    expect(fact('Models')).toBe('gpt-4o, llama3.1:8b');
  });

  it('says "no price" rather than $0 when no model of the chat has one, and reloads when the chat changes', async () => {
    let session = aSummary({ title: 'Local' });
    const fake = fakeApi({
      'usage.session': ({ sessionId }) =>
        someSessionUsage(sessionId, {
          runs: 1,
          succeeded: 1,
          tokensIn: 10,
          tokensOut: 5,
          unpricedTokens: 15,
          models: ['llama3.1:8b'],
        }),
      'sessions.list': () => onePage([session]),
    });
    const s = session;
    const { store } = renderPanel(fake, s.id);
    await screen.findByText('Estimated cost');
    expect(fact('Estimated cost')).toBe('no price');
    expect(fake.callsTo('usage.session')).toHaveLength(1);

    // Each change the store learns of (the chat first listed, then a new message) reads the usage again.
    await store.getState().refreshSessions();
    await waitFor(() => expect(fake.callsTo('usage.session')).toHaveLength(2));
    await store.getState().refreshSessions();
    expect(fake.callsTo('usage.session')).toHaveLength(2);
    session = { ...session, messageCount: 1, lastMessageAt: '2026-11-02T10:00:00.000Z' };
    await store.getState().refreshSessions();
    await waitFor(() => expect(fake.callsTo('usage.session')).toHaveLength(3));
  });

  it('says when a chat has made no requests yet', async () => {
    const s = aSummary({ title: 'New' });
    renderPanel(fakeApi({ 'usage.session': ({ sessionId }) => someSessionUsage(sessionId) }), s.id);
    expect(await screen.findByText('No requests to a model in this chat yet.')).toBeTruthy();
  });
});
