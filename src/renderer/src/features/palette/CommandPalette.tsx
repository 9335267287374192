import { Command } from 'cmdk';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SearchHit } from '@shared/types';
import { commandById } from '../../app/commands/registry';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { jumpToMessage } from '../messages/actions';
import { openChat } from '../workspace/actions';
import { usePaletteCommands } from './paletteCommands';
import { formatHitDate, matchCommands, parsePaletteQuery, splitCommandsByStrength, splitSnippet } from './query';
import { Snippet } from './Snippet';
import { SEARCH_LIMIT, usePaletteSearch } from './usePaletteSearch';
import './palette.css';

/** Cmd/Ctrl+K: search every chat's title and messages, or run a command. */
export function CommandPalette() {
  const open = useAppStore((s) => s.paletteOpen);
  return open ? <PaletteDialog /> : null;
}

function PaletteDialog() {
  const close = useAppStore((s) => s.closePalette);
  const [raw, setRaw] = useState('');
  const query = useMemo(() => parsePaletteQuery(raw), [raw]);
  const { hits, searching, hasMore, loadingMore, showMore } = usePaletteSearch(query);
  const commands = usePaletteCommands();
  const app = useAppStoreApi();
  const openHit = useOpenHit();
  const now = useMemo(() => new Date(), []);
  useReturnFocusOnClose();

  const matched = query.filters.length > 0 ? [] : matchCommands(commands, query.text);
  const { strong: labelCommands, weak: otherCommands } = splitCommandsByStrength(matched, query.text);
  const shownCommands = [...labelCommands, ...otherCommands];
  // Memoized with the hits, so a keystroke re-renders the input and not every result row: the
  // rows only change when an answer arrives (the target is results within 50 ms of a key).
  const titleHits = useMemo(() => hits.filter((h) => h.kind === 'session'), [hits]);
  const messageHits = useMemo(() => hits.filter((h) => h.kind === 'message'), [hits]);
  // The highlighted row, kept on the list: results arrive after the typing that asked for them,
  // and Enter must act on a row that is shown (the first, unless the user moved).
  const [selected, setSelected] = useState('');
  // In the order the rows are shown: label matches, chats, messages, "Show all", other commands.
  const values = [
    ...labelCommands.map((c) => `command:${c.id}`),
    ...titleHits.map((h) => `session:${h.sessionId}`),
    ...messageHits.map((h) => `message:${h.messageId}`),
    ...(hasMore ? [SHOW_MORE_VALUE] : []),
    ...otherCommands.map((c) => `command:${c.id}`),
  ];
  const current = values.includes(selected) ? selected : (values[0] ?? '');

  const choose = (action: () => void) => {
    close();
    action();
  };
  const pickHit = useStableCallback((hit: SearchHit) =>
    choose(() =>
      hit.kind === 'session' || hit.sessionDeleted
        ? openHit(hit)
        : void jumpToMessage(app, hit.sessionId, hit.messageId!),
    ),
  );

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      // Handled here: nothing behind the palette (a streaming reply's Stop) gets this Esc.
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  };

  return (
    <div className="palette-backdrop" onMouseDown={close}>
      <div
        role="dialog"
        aria-modal="true"
        aria-label="Command palette"
        className="palette"
        onMouseDown={(event) => event.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <Command
          label="Search chats and commands"
          shouldFilter={false}
          loop
          value={current}
          onValueChange={setSelected}
        >
          <Command.Input
            autoFocus
            className="palette__input"
            value={raw}
            onValueChange={setRaw}
            placeholder="Search chats, or type a command…"
          />
          <div className="palette__status" aria-live="polite">
            {query.filters.map((f) => (
              <span key={f} className="palette__filter">
                {f}
              </span>
            ))}
            {searching && <span className="muted">Searching…</span>}
          </div>
          <Command.List className="palette__list" label="Results" data-searching={searching || undefined}>
            {!searching && query.text.trim() !== '' && hits.length === 0 && shownCommands.length === 0 && (
              <Command.Empty className="palette__empty">No matches.</Command.Empty>
            )}
            <CommandGroup
              heading="Commands"
              commands={labelCommands}
              onRun={(id) => choose(() => commandById(id).run(app))}
            />
            <HitGroups titleHits={titleHits} messageHits={messageHits} now={now} onPick={pickHit} />
            {hasMore && (
              <Command.Item value={SHOW_MORE_VALUE} onSelect={showMore} className="palette__item palette__more">
                {loadingMore
                  ? 'Loading more results…'
                  : messageHits.length > SEARCH_LIMIT
                    ? 'Show more results'
                    : 'Show all results'}
              </Command.Item>
            )}
            <CommandGroup
              heading={labelCommands.length > 0 ? 'More commands' : 'Commands'}
              commands={otherCommands}
              onRun={(id) => choose(() => commandById(id).run(app))}
            />
          </Command.List>
        </Command>
      </div>
    </div>
  );
}

const SHOW_MORE_VALUE = 'palette:show-more';

function CommandGroup({
  heading,
  commands,
  onRun,
}: {
  heading: string;
  commands: ReturnType<typeof usePaletteCommands>;
  onRun(id: string): void;
}) {
  if (commands.length === 0) return null;
  return (
    <Command.Group heading={heading}>
      {commands.map((c) => (
        <Command.Item key={c.id} value={`command:${c.id}`} onSelect={() => onRun(c.id)} className="palette__item">
          <span className="palette__label">{c.label}</span>
          {c.shortcut && <kbd className="palette__shortcut">{c.shortcut}</kbd>}
        </Command.Item>
      ))}
    </Command.Group>
  );
}

/** A function whose identity never changes but which always runs the latest `fn`. */
function useStableCallback<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  const ref = useRef(fn);
  useLayoutEffect(() => {
    ref.current = fn;
  });
  return useCallback((...args: A) => ref.current(...args), []);
}

interface HitGroupsProps {
  titleHits: SearchHit[];
  messageHits: SearchHit[];
  now: Date;
  onPick(hit: SearchHit): void;
}

const HitGroups = memo(function HitGroups({ titleHits, messageHits, now, onPick }: HitGroupsProps) {
  return (
    <>
      <HitGroup heading="Chats" hits={titleHits} now={now} onPick={onPick} />
      <HitGroup heading="Messages" hits={messageHits} now={now} onPick={onPick} />
    </>
  );
});

function HitGroup({
  heading,
  hits,
  now,
  onPick,
}: {
  heading: string;
  hits: SearchHit[];
  now: Date;
  onPick(hit: SearchHit): void;
}) {
  if (hits.length === 0) return null;
  return (
    <Command.Group heading={heading}>
      {hits.map((hit) => {
        const value = hit.kind === 'session' ? `session:${hit.sessionId}` : `message:${hit.messageId}`;
        return (
          <Command.Item
            key={value}
            value={value}
            onSelect={() => onPick(hit)}
            className="palette__item palette__hit"
            data-testid="palette-hit"
          >
            <Snippet className="palette__snippet" snippet={hit.snippet} />
            <HitMeta hit={hit} now={now} />
          </Command.Item>
        );
      })}
    </Command.Group>
  );
}

/**
 * A chat found by its title opens in a tab (its summary is read first if the sidebar has not
 * listed it, e.g. an archived one). A chat in the Trash cannot be open in a tab, so the sidebar
 * shows the Trash instead, where it can be restored.
 */
function useOpenHit(): (hit: SearchHit) => void {
  const store = useAppStoreApi();
  return (hit) => {
    if (hit.sessionDeleted) store.getState().setSessionView('trash');
    else openChat(store, hit.sessionId, { focusComposer: true });
  };
}

function HitMeta({ hit, now }: { hit: SearchHit; now: Date }) {
  const where = hit.sessionDeleted ? 'Trash' : hit.sessionStatus === 'archived' ? 'Archived' : null;
  const who =
    hit.kind === 'session' ? 'Chat' : hit.role === 'user' ? 'You' : hit.role === 'assistant' ? 'Assistant' : hit.role;
  return (
    <span className="palette__meta">
      <span className="palette__who">{who}</span>
      {hit.kind === 'message' && (
        <span className="palette__title" data-testid="palette-hit-title">
          {/* The title may hold marks from a title match too; show it plain. */}
          {splitSnippet(hit.sessionTitle)
            .map((p) => p.text)
            .join('') || 'Untitled chat'}
        </span>
      )}
      <time className="palette__date" dateTime={hit.createdAt}>
        {formatHitDate(hit.createdAt, now)}
      </time>
      {where && <span className="palette__badge">{where}</span>}
    </span>
  );
}

/** Like any dialog: when the palette closes, focus goes back where it was, if that is still there. */
function useReturnFocusOnClose(): void {
  const [returnTo] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  useEffect(
    () => () => {
      if (returnTo?.isConnected) returnTo.focus();
    },
    [returnTo],
  );
}
