import { useRef, useState } from 'react';
import type { SessionSummary } from '@shared/types';
import { useAppStore } from '../../app/context';
import { parseTags } from './sessionActions';

interface RenameInputProps {
  session: SessionSummary;
  field: 'title' | 'tags';
  onDone: (refocus: boolean) => void;
}

/** Inline editor for a row's title, or its tags as a comma-separated list. */
export function RenameInput({ session, field, onDone }: RenameInputProps) {
  const rename = useAppStore((s) => s.renameSession);
  const setTags = useAppStore((s) => s.setSessionTags);
  const initial = field === 'title' ? session.title : session.tags.join(', ');
  const [value, setValue] = useState(initial);
  const done = useRef(false);
  const finish = (save: boolean, refocus: boolean) => {
    if (done.current) return;
    done.current = true;
    if (save && field === 'title') {
      const title = value.trim();
      if (title && title !== session.title) void rename(session.id, title);
    } else if (save) {
      const tags = parseTags(value);
      if (tags.join(',') !== session.tags.join(',')) void setTags(session.id, tags);
    }
    onDone(refocus);
  };
  return (
    <input
      className="session-row__rename"
      aria-label={field === 'title' ? 'Chat title' : 'Tags, separated by commas'}
      placeholder={field === 'tags' ? 'work, ideas' : undefined}
      value={value}
      maxLength={field === 'title' ? 200 : 2000}
      autoFocus
      onFocus={(event) => event.currentTarget.select()}
      onChange={(event) => setValue(event.target.value)}
      onBlur={() => finish(true, false)}
      onKeyDown={(event) => {
        if (event.key === 'Enter') finish(true, true);
        else if (event.key === 'Escape') finish(false, true);
        else return;
        event.preventDefault();
        event.stopPropagation();
      }}
    />
  );
}
