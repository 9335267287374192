import type { Virtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, type RefObject } from 'react';
import type { BranchMessage } from '@shared/types';
import type { MessageFocus } from '../messages/store';

/** Frames the view must hold still before a jump counts as landed. */
const LANDED_FRAMES = 3;
/** A jump stops steering after this many frames even if the view never holds still. */
const MAX_STEER_FRAMES = 120;
/** What a reader does to take the view over from a jump. */
const TAKEOVER_EVENTS = ['wheel', 'touchstart', 'pointerdown', 'keydown'] as const;

interface Steering {
  messageId: string;
  /** Where the virtualizer's scroll command is aimed. */
  index: number;
}

interface FocusScrollState {
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  scrollRef: RefObject<HTMLDivElement | null>;
  items: readonly BranchMessage[];
  focus: MessageFocus | null;
}

/**
 * A jump or a find hit: brings the message to the middle of the view, and keeps it the message
 * aimed at until the view has landed.
 *
 * The virtualizer's scroll command aims at an index and keeps re-aiming at it while rows are
 * measured, for up to seconds when the message is too near the end of the list to be centred.
 * Pages land meanwhile: the jump's own reload (the branch switch it made) or an older page
 * prepend rows, and the command would carry the view to whatever message now has that index,
 * leaving the one jumped to out of the DOM. So while a jump lands, a change of rows re-aims at the
 * message where it now is; once it has landed, the command is retired, and the virtualizer's
 * own anchoring keeps the message in place as pages come.
 */
export function useFocusScroll({ virtualizer, scrollRef, items, focus }: FocusScrollState): void {
  const steering = useRef<Steering | null>(null);
  const itemsRef = useRef(items);
  useLayoutEffect(() => {
    itemsRef.current = items;
  });

  // Rows added or dropped around the message while a jump lands: aim where it is now.
  useLayoutEffect(() => {
    const aim = steering.current;
    if (!aim) return;
    const index = items.findIndex((m) => m.id === aim.messageId);
    if (index === aim.index) return;
    if (index < 0) {
      // The message left the shown part (the branch moved elsewhere): nothing to aim at.
      steering.current = null;
      virtualizer.cancelScroll();
      return;
    }
    aim.index = index;
    virtualizer.scrollToIndex(index, { align: 'center' });
  }, [items, virtualizer]);

  const focusSeq = focus?.seq;
  const focusId = focus?.messageId;
  useLayoutEffect(() => {
    if (focusSeq === undefined || !focusId) return;
    const index = itemsRef.current.findIndex((m) => m.id === focusId);
    if (index < 0) return;
    const aim: Steering = { messageId: focusId, index };
    steering.current = aim;
    virtualizer.scrollToIndex(index, { align: 'center' });

    const el = scrollRef.current;
    let frame = 0;
    let stillFrames = 0;
    let lastTop = el?.scrollTop;
    let raf = 0;
    const release = () => {
      if (steering.current === aim) steering.current = null;
      cancelAnimationFrame(raf);
      for (const type of TAKEOVER_EVENTS) el?.removeEventListener(type, takeOver);
    };
    // The reader scrolls or clicks: the view is theirs (the virtualizer drops its command when
    // they scroll), so rows coming in must not pull it back to the message.
    const takeOver = () => release();
    const watch = () => {
      // The message left the shown part meanwhile: the effect above let go of it.
      if (steering.current !== aim) return release();
      const top = el?.scrollTop;
      stillFrames = top === lastTop ? stillFrames + 1 : 0;
      lastTop = top;
      if (stillFrames < LANDED_FRAMES && ++frame < MAX_STEER_FRAMES) {
        raf = requestAnimationFrame(watch);
        return;
      }
      // Landed on the message: retire the command, so later pages cannot re-aim it at an index.
      // A view that some other command moved elsewhere meanwhile is left to that command.
      const wanted = virtualizer.getOffsetForIndex(aim.index, 'center')?.[0];
      if (wanted !== undefined && top !== undefined && Math.abs(top - wanted) <= 1) virtualizer.cancelScroll();
      release();
    };
    for (const type of TAKEOVER_EVENTS) el?.addEventListener(type, takeOver, { passive: true });
    raf = requestAnimationFrame(watch);
    return release;
    // Only a new request scrolls; items changing later are the effect above's.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [focusSeq]);
}
