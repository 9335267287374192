import { useEffect } from 'react';
import { useAppStore } from '../../app/context';
import './sync.css';

/** For the owner of a shared chat: who can see it (their team, from the server). */
export function SharedWith({ sessionId }: { sessionId: string }) {
  const shared = useAppStore((s) => s.sessionsById[sessionId]?.visibility === 'team');
  const members = useAppStore((s) => s.sharedWith[sessionId]);
  const loadSharedWith = useAppStore((s) => s.loadSharedWith);
  const teammates = useAppStore((s) => s.teamSessions.data?.some((t) => t.id === sessionId) ?? false);
  useEffect(() => {
    if (shared && !teammates) void loadSharedWith(sessionId);
  }, [shared, teammates, sessionId, loadSharedWith]);

  if (!shared || teammates) return null;
  const names = members?.data?.map((m) => m.name) ?? null;
  return (
    <p className="shared-with" role="note">
      {names === null
        ? members?.status === 'error'
          ? 'Shared with your team (who is in it shows once connected).'
          : 'Shared with your team.'
        : names.length === 0
          ? 'Shared with your team, which has no one else yet.'
          : `Shared with ${names.join(', ')}.`}
    </p>
  );
}
