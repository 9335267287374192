/**
 * A jump's scroll while pages land, through the real core. jsdom has no layout: every rendered row
 * measures 768 px, one screen (test/setup.ts); the list's scroll height here follows its rows, and
 * animation frames run only when the test says, so "a page lands before the jump's scroll has
 * landed" happens every time instead of once in a while (as it did in the palette e2e).
 */
import '../../test/setup';
import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { savedTabs } from '../../test/seed';

const core = realCoreForTests();
const VIEWPORT_PX = 768;

const list = () => screen.getByRole('log', { name: 'Messages' });

/**
 * Gives message lists a scroll height (their rows' total height) and a working scrollTop and
 * scrollTo, which jsdom lacks. Returns the undo.
 */
function scrollableLists(): () => void {
  const tops = new WeakMap<Element, number>();
  const isList = (el: Element) => el.classList.contains('message-list');
  const heightOf = (el: Element) => {
    const rows = el.querySelector<HTMLElement>('.message-list__rows');
    return rows ? parseFloat(rows.style.height) || 0 : 0;
  };
  const proto = HTMLElement.prototype as unknown as Record<string, unknown>;
  Object.defineProperty(proto, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return isList(this) ? heightOf(this) : 0;
    },
  });
  Object.defineProperty(proto, 'scrollTop', {
    configurable: true,
    get(this: HTMLElement) {
      return tops.get(this) ?? 0;
    },
    set(this: HTMLElement, v: number) {
      tops.set(this, isList(this) ? Math.max(0, Math.min(v, heightOf(this) - VIEWPORT_PX)) : 0);
    },
  });
  Object.defineProperty(proto, 'scrollTo', {
    configurable: true,
    value(this: HTMLElement, options: ScrollToOptions) {
      this.scrollTop = options.top ?? this.scrollTop;
      this.dispatchEvent(new Event('scroll'));
    },
  });
  return () => {
    delete proto.scrollHeight;
    delete proto.scrollTop;
    delete proto.scrollTo;
  };
}

/** Holds animation frames back until `run` lets them go, a frame at a time. */
function heldFrames() {
  const waiting = new Map<number, FrameRequestCallback>();
  let nextId = 1;
  const request = vi.spyOn(window, 'requestAnimationFrame').mockImplementation((callback) => {
    waiting.set(nextId, callback);
    return nextId++;
  });
  const cancel = vi.spyOn(window, 'cancelAnimationFrame').mockImplementation((id) => void waiting.delete(id));
  return {
    run(frames: number) {
      for (let i = 0; i < frames; i++) {
        const due = [...waiting.values()];
        waiting.clear();
        act(() => {
          for (const callback of due) callback(performance.now());
        });
      }
    },
    restore() {
      request.mockRestore();
      cancel.mockRestore();
    },
  };
}

const undo: (() => void)[] = [];
afterEach(() => {
  for (const step of undo.splice(0)) step();
});

/** An 80-message chat open in its tab, its newest page shown; frames held from here on. */
async function openLongChat() {
  undo.push(scrollableLists());
  const chat = await core().addSession({ title: 'Long' });
  const chain = await core().addChain(
    chat.id,
    Array.from({ length: 80 }, (_, i) => ({
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: `#${i}`,
    })),
  );
  await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([chat.id]) });
  const { store } = renderApp(core());
  await waitFor(() => expect(screen.getAllByTestId('message-row').length).toBeGreaterThan(0));
  const frames = heldFrames();
  undo.push(() => frames.restore());
  return { store, sessionId: chat.id, ids: chain.map((m) => m.id), frames };
}

const rowOf = (messageId: string) =>
  screen.getAllByTestId('message-row').find((r) => r.dataset.messageId === messageId);

describe('A jump', () => {
  it('stays on its message when a page lands before its scroll has', async () => {
    const { store, sessionId, ids, frames } = await openLongChat();
    const target = ids[60]!;
    // The page around #60: #36 to the newest, #60 the 25th. Its scroll is under way.
    await act(() => store.getState().showMessage(sessionId, target));
    expect(store.getState().messages[sessionId]?.items.findIndex((m) => m.id === target)).toBe(24);
    // A reload lands (the jump's own, after a branch switch, or an older page): the newest page,
    // #30 on, so six rows come in above the message.
    await act(() => store.getState().reloadMessages(sessionId));
    const items = store.getState().messages[sessionId]?.items ?? [];
    expect(items.findIndex((m) => m.id === target)).toBe(30);

    frames.run(20);
    const row = rowOf(target);
    expect(row?.dataset.highlighted).toBe('true');
    // Centred, where one row fills the view: the view starts where the message's row does.
    expect(row?.style.transform).toBe(`translateY(${list().scrollTop}px)`);
  });

  it('leaves the view to a reader who scrolls before it has landed', async () => {
    const { store, sessionId, ids, frames } = await openLongChat();
    await act(() => store.getState().showMessage(sessionId, ids[60]!));
    // The reader scrolls up a few rows at once.
    const el = list();
    act(() => {
      el.dispatchEvent(new Event('wheel'));
      el.scrollTo({ top: el.scrollTop - 3 * VIEWPORT_PX });
    });
    /** Where #55's row is, from the top of the view: the reader's place. */
    const placeOf55 = () =>
      parseFloat(/translateY\((.*)px\)/.exec(rowOf(ids[55]!)?.style.transform ?? '')?.[1] ?? 'NaN') - list().scrollTop;
    const place = placeOf55();
    expect(place).toBeLessThan(VIEWPORT_PX);
    expect(place).toBeGreaterThan(-VIEWPORT_PX);

    await act(() => store.getState().reloadMessages(sessionId));
    frames.run(20);
    // The page came in above; the view stayed where the reader put it.
    expect(placeOf55()).toBe(place);
  });
});
