import type { ConfabApi } from '@shared/client';
import type { AppStore } from './types';

/** Routes server events into store actions. Returns the unsubscribe. */
export function bindApiEvents(api: ConfabApi, store: AppStore): () => void {
  const offs = [
    api.on('sessions.changed', ({ ids }) => {
      void store.getState().handleSessionsChanged(ids);
    }),
    api.on('messages.changed', ({ sessionId }) => {
      store.getState().handleMessagesChanged(sessionId);
    }),
    api.on('chat.started', (event) => store.getState().handleChatStarted(event)),
    api.on('chat.delta', (event) => store.getState().handleChatDelta(event)),
    api.on('chat.done', (event) => {
      store.getState().markTabUnread(event.sessionId);
      void store.getState().handleChatDone(event);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
