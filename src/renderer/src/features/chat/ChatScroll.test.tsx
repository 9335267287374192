/**
 * The list's place, through the real core. jsdom has no layout: every element is 768 px high
 * (test/setup.ts), so each message row is one screen, and scrolling is setting scrollTop.
 */
import '../../test/setup';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { TABS_UI_KEY } from '../../app/workspace/saved';
import { realCoreForTests } from '../../test/realCore';
import { renderApp } from '../../test/renderApp';
import { scrollPlaceKey } from './store';
import { savedTabs } from '../../test/seed';

const FIRST_TEST = { timeout: 60_000 };
const core = realCoreForTests();

const list = () => screen.getByRole('log', { name: 'Messages' });

/** Gives the list a scroll height and a working scrollTop/scrollTo, which jsdom lacks. */
function scrollable(el: HTMLElement, height: number): { top: number } {
  const state = { top: 0 };
  Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => height });
  Object.defineProperty(el, 'scrollTop', {
    configurable: true,
    get: () => state.top,
    set: (v: number) => (state.top = Math.max(0, Math.min(v, height - el.clientHeight))),
  });
  el.scrollTo = ((options: ScrollToOptions) => {
    el.scrollTop = options.top ?? el.scrollTop;
    el.dispatchEvent(new Event('scroll'));
  }) as typeof el.scrollTo;
  return state;
}

/** Scrolls the list as a reader would, to `top` px. */
function scrollListTo(el: HTMLElement, top: number): void {
  el.scrollTop = top;
  fireEvent.scroll(el);
}

async function openLongChat(count = 12) {
  const session = await core().addSession({ title: 'Long' });
  await core().addChain(
    session.id,
    Array.from({ length: count }, (_, i) => ({
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: `#${i}`,
    })),
  );
  await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([session.id]) });
  const app = renderApp(core());
  await waitFor(() => expect(screen.getAllByTestId('message').length).toBeGreaterThan(0));
  return { ...app, sessionId: session.id };
}

describe('Jump to newest', () => {
  it('shows whenever the chat is scrolled away from the bottom', FIRST_TEST, async () => {
    await openLongChat();
    const el = list();
    const height = 12 * 768 + 32;
    scrollable(el, height);
    scrollListTo(el, height - 768);
    expect(screen.queryByRole('button', { name: 'Jump to newest ↓' })).toBeNull();
    scrollListTo(el, 768 * 3);
    const jump = await screen.findByRole('button', { name: 'Jump to newest ↓' });
    fireEvent.click(jump);
    await waitFor(() => expect(el.scrollTop).toBe(height - 768));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Jump to newest ↓' })).toBeNull());
  });
});

/**
 * Every message list (each tab mounts its own) gets a scroll height of `rows` rows of 768 px plus
 * the list's 16 px paddings, and a working scrollTop and scrollTo.
 */
function scrollableLists(): { rows: number; restore(): void } {
  const tops = new WeakMap<Element, number>();
  const isList = (el: Element) => el.classList.contains('message-list');
  const proto = HTMLElement.prototype;
  const height = () => control.rows * 768 + 32;
  const saved = {
    scrollHeight: Object.getOwnPropertyDescriptor(Element.prototype, 'scrollHeight'),
    scrollTop: Object.getOwnPropertyDescriptor(Element.prototype, 'scrollTop'),
  };
  const control = {
    rows: 0,
    restore() {
      delete (proto as unknown as Record<string, unknown>).scrollHeight;
      delete (proto as unknown as Record<string, unknown>).scrollTop;
      delete (proto as unknown as Record<string, unknown>).scrollTo;
      void saved;
    },
  };
  Object.defineProperty(proto, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return isList(this) ? height() : 0;
    },
  });
  Object.defineProperty(proto, 'scrollTop', {
    configurable: true,
    get(this: HTMLElement) {
      return tops.get(this) ?? 0;
    },
    set(this: HTMLElement, v: number) {
      tops.set(this, isList(this) ? Math.max(0, Math.min(v, height() - 768)) : 0);
    },
  });
  Object.defineProperty(proto, 'scrollTo', {
    configurable: true,
    value(this: HTMLElement, options: ScrollToOptions) {
      this.scrollTop = options.top ?? this.scrollTop;
      this.dispatchEvent(new Event('scroll'));
    },
  });
  return control;
}

let lists: ReturnType<typeof scrollableLists> | null = null;
afterEach(() => {
  lists?.restore();
  lists = null;
});

describe('Each tab keeps its place', () => {
  it('the same message at the same offset, across tab switches and restarts', async () => {
    lists = scrollableLists();
    lists.rows = 12;
    const a = await core().addSession({ title: 'A' });
    await core().addChain(
      a.id,
      Array.from({ length: 12 }, (_, i) => ({
        role: i % 2 ? ('assistant' as const) : ('user' as const),
        content: `#${i}`,
      })),
    );
    const b = await core().addSession({ title: 'B' });
    await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([a.id, b.id], a.id) });
    let { store } = renderApp(core());
    await waitFor(() => expect(screen.getAllByTestId('message').length).toBeGreaterThan(0));
    // With nothing kept, a chat opens at its newest message.
    await waitFor(() => expect(list().scrollTop).toBe(12 * 768 + 32 - 768));

    // The reader scrolls up, into message #3 or so (jsdom's rows are what the virtualizer makes of them).
    scrollListTo(list(), 16 + 3 * 768 + 100);
    const left = store.getState().scrollPlaces[a.id];
    expect(left).toMatchObject({ atBottom: false });
    expect(screen.getByRole('button', { name: 'Jump to newest ↓' })).toBeTruthy();

    /** Where the view is now, as the list would record it. */
    const placeNow = () => {
      fireEvent.scroll(list());
      return store.getState().scrollPlaces[a.id];
    };

    fireEvent.click(screen.getByRole('tab', { name: 'B' }));
    await screen.findByText(/No messages yet/);
    fireEvent.click(screen.getByRole('tab', { name: 'A' }));
    await waitFor(() => expect(placeNow()).toEqual(left));
    expect(list().scrollTop).toBeLessThan(12 * 768 + 32 - 768);

    // Kept on this device too: a restart comes back to the same place.
    await waitFor(async () => expect(await core().direct.ui.get({ key: scrollPlaceKey(a.id) })).toEqual(left));
    cleanup();
    ({ store } = renderApp(core()));
    await waitFor(() => expect(screen.getAllByTestId('message').length).toBeGreaterThan(0));
    await waitFor(() => expect(store.getState().scrollPlaces[a.id]).toEqual(left));
    await waitFor(() => expect(placeNow()).toEqual(left));
    expect(list().scrollTop).toBeLessThan(12 * 768 + 32 - 768);
  });

  it('at the bottom it stays with the newest message, even one that came while away', async () => {
    lists = scrollableLists();
    lists.rows = 12;
    const a = await core().addSession({ title: 'A' });
    await core().addChain(
      a.id,
      Array.from({ length: 12 }, (_, i) => ({
        role: i % 2 ? ('assistant' as const) : ('user' as const),
        content: `#${i}`,
      })),
    );
    const b = await core().addSession({ title: 'B' });
    await core().direct.ui.set({ key: TABS_UI_KEY, value: savedTabs([a.id, b.id], a.id) });
    const { store } = renderApp(core());
    await waitFor(() => expect(list().scrollTop).toBe(12 * 768 + 32 - 768));
    scrollListTo(list(), 16 + 768);
    scrollListTo(list(), 12 * 768 + 32 - 768);
    expect(screen.queryByRole('button', { name: 'Jump to newest ↓' })).toBeNull();

    fireEvent.click(screen.getByRole('tab', { name: 'B' }));
    await screen.findByText(/No messages yet/);
    await core().addMessage(a.id, 'user', '#12');
    await core().addMessage(a.id, 'assistant', '#13');
    lists.rows = 14;
    core().emit('messages.changed', { sessionId: a.id, messageIds: [], source: 'remote' });
    await waitFor(() => expect(store.getState().messages[a.id]?.stale).toBe(true));
    fireEvent.click(screen.getByRole('tab', { name: 'A' }));
    await waitFor(() => expect(store.getState().messages[a.id]?.items).toHaveLength(14));
    await waitFor(() => expect(list().scrollTop).toBe(14 * 768 + 32 - 768));
  });
});
