import type { Virtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { BranchMessage } from '@shared/types';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { LOCAL_MESSAGE_PREFIX } from './actions';
import type { ScrollPlace } from './store';

/** Within this many pixels of the end counts as "at the newest message". */
export const AT_BOTTOM_SLACK_PX = 48;
/** How many older pages a restore may load to find the message it was left at. */
const MAX_RESTORE_PAGES = 20;
/** Frames a restore keeps aiming while rows around the place are measured. */
const SETTLE_FRAMES = 6;

interface ListState {
  sessionId: string;
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  scrollRef: RefObject<HTMLDivElement | null>;
  items: readonly BranchMessage[];
  ready: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  /** A jump or a find hit is being shown: it decides the place, not the saved one. */
  jumping: boolean;
}

/**
 * Keeps a chat's place: where its list was left is put back when its tab shows again (after a
 * switch, a close of the tab in front or a restart), at the newest message if it was there, else
 * the same message at the same offset. Also says whether the reader is away from the bottom.
 */
export function useScrollPlace({
  sessionId,
  virtualizer,
  scrollRef,
  items,
  ready,
  hasOlder,
  loadingOlder,
  jumping,
}: ListState) {
  const app = useAppStoreApi();
  const placeKnown = useAppStore((s) => s.scrollPlaces[sessionId] !== undefined);
  const loadScrollPlace = useAppStore((s) => s.loadScrollPlace);
  const restored = useRef(false);
  const pagesLoaded = useRef(0);
  const [awayFromBottom, setAwayFromBottom] = useState(false);
  const itemsRef = useRef(items);
  useLayoutEffect(() => {
    itemsRef.current = items;
  });

  useEffect(() => {
    void loadScrollPlace(sessionId);
  }, [loadScrollPlace, sessionId]);

  useLayoutEffect(() => {
    if (restored.current || !ready || !placeKnown) return;
    if (jumping || items.length === 0) {
      restored.current = items.length > 0 || jumping;
      return;
    }
    const place = app.getState().scrollPlaces[sessionId];
    if (!place || place.atBottom) {
      restored.current = true;
      virtualizer.scrollToEnd();
      return;
    }
    const index = items.findIndex((m) => m.id === place.messageId);
    if (index < 0) {
      // Left further up than the first page: page back to it, within reason.
      if (hasOlder && pagesLoaded.current < MAX_RESTORE_PAGES) {
        if (!loadingOlder) {
          pagesLoaded.current++;
          void app.getState().loadOlderMessages(sessionId);
        }
        return;
      }
      restored.current = true;
      virtualizer.scrollToEnd();
      return;
    }
    restored.current = true;
    const messageId = place.messageId;
    const offset = place.offset;
    // Rows above are measured as they render, which moves where the message starts: aim again
    // for a few frames until the view holds still.
    let frames = 0;
    const aim = () => {
      const at = itemsRef.current.findIndex((m) => m.id === messageId);
      const target = at < 0 ? undefined : virtualizer.getOffsetForIndex(at, 'start');
      if (!target) return;
      const wanted = target[0] + offset;
      if (Math.abs((scrollRef.current?.scrollTop ?? wanted) - wanted) > 1) virtualizer.scrollToOffset(wanted);
      if (++frames < SETTLE_FRAMES) requestAnimationFrame(aim);
    };
    aim();
  }, [app, sessionId, virtualizer, scrollRef, items, ready, placeKnown, hasOlder, loadingOlder, jumping]);

  /** On every scroll: where the view is now, kept for the next time the chat shows. */
  const recordPlace = () => {
    const el = scrollRef.current;
    if (!restored.current || !el) return;
    // Read from the element: the virtualizer may not have seen this scroll event yet.
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= AT_BOTTOM_SLACK_PX;
    setAwayFromBottom(!atBottom);
    let place: ScrollPlace = { atBottom: true };
    if (!atBottom) {
      const offset = el.scrollTop;
      const row = virtualizer.getVirtualItemForOffset(offset);
      const message = row ? items[row.index] : undefined;
      // A message shown ahead of its save has no id a later run could find.
      if (!row || !message || message.id.startsWith(LOCAL_MESSAGE_PREFIX)) return;
      place = { atBottom: false, messageId: message.id, offset: Math.round(offset - row.start) };
    }
    app.getState().rememberScrollPlace(sessionId, place);
  };

  return { recordPlace, awayFromBottom };
}
