import { useEffect, useRef } from 'react';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { chatRestored, restoreChatHere, unarchiveChatHere } from './actions';

/** Above a chat in the Trash or the archive: what it is, and the one button that brings it back. */
export function ChatStatusBanner({ sessionId }: { sessionId: string }) {
  const app = useAppStoreApi();
  const trashed = useAppStore((s) => !!s.sessionsById[sessionId]?.deletedAt);
  const archived = useAppStore((s) => s.sessionsById[sessionId]?.status === 'archived');
  const wasTrashed = useRef(trashed);
  useEffect(() => {
    if (wasTrashed.current && !trashed) void chatRestored(app, sessionId);
    wasTrashed.current = trashed;
  }, [app, sessionId, trashed]);
  if (!trashed && !archived) return null;
  return (
    <div className="chat-status-banner" role="status" data-testid="chat-status-banner">
      <p>{trashed ? 'This chat is in the Trash.' : 'This chat is archived.'}</p>
      <button
        type="button"
        className="button"
        onClick={() => void (trashed ? restoreChatHere(app, sessionId) : unarchiveChatHere(app, sessionId))}
      >
        {trashed ? 'Restore' : 'Unarchive'}
      </button>
    </div>
  );
}
