import { useState } from 'react';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { continueInMyCopy } from './actions';
import './sync.css';

/** In place of the composer on a teammate's chat: why it is read-only, and the way to carry on. */
export function TeamChatNote({ sessionId }: { sessionId: string }) {
  const author = useAppStore((s) => s.teamSessions.data?.find((t) => t.id === sessionId)?.authorName);
  const app = useAppStoreApi();
  const [busy, setBusy] = useState(false);
  return (
    <div className="composer">
      <p className="team-chat-note" role="note">
        <span>
          {author ? `${author} shared this chat with the team.` : 'A teammate shared this chat.'} It is read-only here.
        </span>
        <button
          type="button"
          className="button button--primary"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void continueInMyCopy(app, sessionId).finally(() => setBusy(false));
          }}
        >
          {busy ? 'Copying…' : 'Continue in my copy'}
        </button>
      </p>
    </div>
  );
}
