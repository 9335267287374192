import { useState } from 'react';
import type { SessionSummary } from '@shared/types';
import { useAppStore } from '../../app/context';
import { displayTitle } from '../sessions/sessionTitle';

/** Chats as Markdown in one zip: every active chat, or the ones ticked from the sidebar's list. */
export function MarkdownExport() {
  const task = useAppStore((s) => s.dataTask);
  const exportChatsMarkdown = useAppStore((s) => s.exportChatsMarkdown);
  const ids = useAppStore((s) => s.sessionList.ids);
  const byId = useAppStore((s) => s.sessionsById);
  const listed = ids.map((id) => byId[id]).filter((c): c is SessionSummary => c !== undefined && c.deletedAt === null);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setChosen((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const chosenIds = listed.filter((c) => chosen.has(c.id)).map((c) => c.id);
  return (
    <div className="data-markdown">
      <button type="button" className="button" disabled={task.running !== null} onClick={() => void exportChatsMarkdown()}>
        Export all chats as Markdown
      </button>
      {listed.length > 0 && (
        <details>
          <summary>Choose chats for Markdown</summary>
          <fieldset aria-label="Chats for Markdown">
            {listed.map((c) => (
              <label key={c.id} className="data-markdown-choice">
                <input type="checkbox" checked={chosen.has(c.id)} onChange={() => toggle(c.id)} /> {displayTitle(c)}
              </label>
            ))}
          </fieldset>
          <button type="button" className="button" disabled={task.running !== null || chosenIds.length === 0} onClick={() => void exportChatsMarkdown(chosenIds)}>
            Export {chosenIds.length} chosen as Markdown
          </button>
        </details>
      )}
    </div>
  );
}
