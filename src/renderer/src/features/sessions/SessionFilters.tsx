import { useEffect } from 'react';
import { useAppStore } from '../../app/context';
import type { SessionView } from './store';

const VIEWS: { view: SessionView; label: string; aria: string }[] = [
  { view: 'active', label: 'Active', aria: 'Show active chats' },
  { view: 'archived', label: 'Archived', aria: 'Show archived chats' },
  { view: 'trash', label: 'Trash', aria: 'Show chats in the Trash' },
];

export function SessionFilters() {
  const view = useAppStore((s) => s.sessionView);
  const tag = useAppStore((s) => s.sessionTag);
  const tags = useAppStore((s) => s.sessionTags);
  const setView = useAppStore((s) => s.setSessionView);
  const setTag = useAppStore((s) => s.setSessionTag);
  const loadTags = useAppStore((s) => s.loadSessionTags);
  // Tags change with the list; re-read them whenever it reloads.
  const ids = useAppStore((s) => s.sessionList.ids);
  useEffect(() => {
    void loadTags();
  }, [ids, loadTags]);

  return (
    <div className="session-filters">
      <div className="segmented" role="group" aria-label="Which chats to show">
        {VIEWS.map((v) => (
          <button
            key={v.view}
            type="button"
            className="segmented__item"
            aria-label={v.aria}
            aria-pressed={view === v.view}
            onClick={() => setView(v.view)}
          >
            {v.label}
          </button>
        ))}
      </div>
      {(tags.length > 0 || tag !== null) && (
        <select
          className="session-filters__tag"
          aria-label="Filter by tag"
          value={tag ?? ''}
          onChange={(event) => setTag(event.target.value || null)}
        >
          <option value="">All tags</option>
          {tag !== null && !tags.some((t) => t.tag === tag) && <option value={tag}>{tag}</option>}
          {tags.map((t) => (
            <option key={t.tag} value={t.tag}>
              {t.tag} ({t.count})
            </option>
          ))}
        </select>
      )}
    </div>
  );
}
