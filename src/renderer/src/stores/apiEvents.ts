import type { ConfabApi } from '@shared/client';
import type { AppStore } from './types';

/** Routes server events into store actions. Returns the unsubscribe. */
export function bindApiEvents(api: ConfabApi, store: AppStore): () => void {
  const offSessions = api.on('sessions.changed', ({ ids }) => {
    void store.getState().handleSessionsChanged(ids);
  });
  const offMessages = api.on('messages.changed', ({ sessionId }) => {
    store.getState().handleMessagesChanged(sessionId);
  });
  return () => {
    offSessions();
    offMessages();
  };
}
