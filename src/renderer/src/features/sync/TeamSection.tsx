import { useAppStore } from '../../app/context';
import { SessionLink } from '../sessions/SessionLink';
import './sync.css';

/** The sidebar's "Team" list: chats teammates shared, newest activity first, with who wrote them. */
export function TeamSection() {
  const team = useAppStore((s) => s.teamSessions.data);
  if (!team || team.length === 0) return null;
  return (
    <section className="team-section" aria-labelledby="team-section-title">
      <h3 id="team-section-title">Team</h3>
      <ul>
        {team.map((session) => (
          <li key={session.id}>
            <SessionLink sessionId={session.id} className="session-link" showPreview={false} />
            <span className="team-section__author">by {session.authorName}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
