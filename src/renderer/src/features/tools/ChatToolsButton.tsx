import { useEffect, useState } from 'react';
import { useAppStore } from '../../app/context';
import './tools.css';

/** The chat toolbar's Tools toggle: which tool servers this chat may use. */
export function ChatToolsButton({ sessionId }: { sessionId: string }) {
  const tools = useAppStore((s) => s.sessionTools[sessionId]);
  const load = useAppStore((s) => s.loadSessionTools);
  const setTool = useAppStore((s) => s.setSessionTool);
  const [open, setOpen] = useState(false);
  useEffect(() => void load(sessionId), [sessionId, load]);
  if (!tools || tools.length === 0) return null;
  const on = tools.filter((t) => t.enabled).length;
  return (
    <span className="chat-tools">
      <button type="button" className="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        Tools{on > 0 ? ` (${on})` : ''}
      </button>
      {open && (
        <span className="chat-tools__panel" role="group" aria-label="Tool servers for this chat">
          {tools.map((t) => (
            <label key={t.serverId} className="checkbox">
              <input
                type="checkbox"
                checked={t.enabled}
                onChange={(event) => void setTool(sessionId, t.serverId, event.target.checked)}
              />
              {t.name}
              {t.alwaysAllow.length > 0 ? ` (always allowed: ${t.alwaysAllow.join(', ')})` : ''}
            </label>
          ))}
        </span>
      )}
    </span>
  );
}
