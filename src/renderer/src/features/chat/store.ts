import type { EventMap } from '@shared/contract';
import type { Session } from '@shared/types';
import type { SliceCreator } from '../../app/types';

/** Text streamed into one assistant message since its reply started. */
export interface StreamState {
  sessionId: string;
  text: string;
  /** What a reasoning model thought before answering, streamed apart from the answer. */
  reasoning: string;
}

/**
 * Where a chat's list was left: at the newest message, or a message and how far into it (px) the
 * view's top was. Kept per chat across tab switches and closes, and on this device across restarts.
 */
export type ScrollPlace = { atBottom: true } | { atBottom: false; messageId: string; offset: number };

export interface ChatSlice {
  /**
   * Chats writing a reply, with the reply's message id (null when known only from `chat.active`,
   * e.g. after a reload mid-reply).
   */
  generating: Record<string, string | null>;
  /**
   * Live text of replies by message id. Kept from `chat.started` until the final message has been
   * re-read after `chat.done`, so the shown text never jumps back to an older saved copy.
   */
  streams: Record<string, StreamState>;
  /**
   * What is typed in each chat's composer. Saved on this device as it is typed (ui_state key
   * `draft:<chat id>`, debounced), so it survives tab switches, restarts and crashes.
   */
  drafts: Record<string, string>;
  /** A system prompt typed in its editor but not saved yet, by chat: saved on blur or on send. */
  promptDrafts: Record<string, string>;
  /** The chat whose find bar (Cmd+F) is open. */
  findOpenFor: string | null;
  /** Counts Cmd+F presses, so one while the bar is open puts focus back in it. */
  findRequest: number;
  loadActiveChats(): Promise<void>;
  handleChatStarted(event: EventMap['chat.started']): void;
  handleChatDelta(event: EventMap['chat.delta']): void;
  /** The reply ended: what was streamed is shown, the chat is no longer busy. */
  replyEnded(event: EventMap['chat.done']): void;
  /** Forgets a reply's live text, once its final copy is shown. */
  dropStream(messageId: string): void;
  setDraft(sessionId: string, text: string): void;
  /** Brings back the chat's saved draft, unless something was typed meanwhile. */
  restoreDraft(sessionId: string): Promise<void>;
  /** Saves every draft change still waiting for its debounce (the page is going away). */
  flushDrafts(): Promise<void>;
  setPromptDraft(sessionId: string, text: string | null): void;
  /** Each chat's scroll place; undefined until read back, null when none was kept. */
  scrollPlaces: Record<string, ScrollPlace | null>;
  loadScrollPlace(sessionId: string): Promise<void>;
  rememberScrollPlace(sessionId: string, place: ScrollPlace): void;
  /** Sends a message and marks the chat busy with its reply. Resolves to false if it failed. */
  send(sessionId: string, content: string): Promise<boolean>;
  /** Asks main to stop the reply. Resolves to false when nothing was running (a missed `chat.done`). */
  stop(sessionId: string): Promise<boolean | null>;
  /** A new answer as a sibling of this assistant message (Regenerate and Retry). */
  regenerate(sessionId: string, messageId: string): Promise<boolean>;
  /** A changed copy of this user message as its sibling, and a new answer to it. */
  edit(sessionId: string, messageId: string, content: string): Promise<boolean>;
  /** Makes the previous (-1) or next (+1) sibling current; resolves to the chat as it now is. */
  chooseSibling(sessionId: string, messageId: string, delta: 1 | -1): Promise<Session | null>;
  openFind(sessionId: string): void;
  closeFind(): void;
}

export type FrameScheduler = (flush: () => void) => void;

/** One store update per animation frame however fast deltas arrive; timers where there are no frames. */
export const defaultFrameScheduler: FrameScheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => flush());
  else setTimeout(flush, 16);
};

/** Typing pauses this long before the draft is saved: one write per pause, not per key. */
export const DRAFT_SAVE_DELAY_MS = 400;
export const draftKey = (sessionId: string) => `draft:${sessionId}`;
export const scrollPlaceKey = (sessionId: string) => `scroll:${sessionId}`;
/** Scrolling settles this long before its place is written. */
const SCROLL_SAVE_DELAY_MS = 500;

/** A saved place as read back from ui_state, which any build may have written: trust nothing. */
export function parseScrollPlace(value: unknown): ScrollPlace | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as { atBottom?: unknown; messageId?: unknown; offset?: unknown };
  if (v.atBottom === true) return { atBottom: true };
  if (
    typeof v.messageId === 'string' &&
    v.messageId !== '' &&
    typeof v.offset === 'number' &&
    Number.isFinite(v.offset)
  ) {
    return { atBottom: false, messageId: v.messageId, offset: v.offset };
  }
  return null;
}

/** Finished replies remembered so a late `chat.send` answer cannot mark a chat busy again. */
const MAX_DONE_REMEMBERED = 200;

export function createChatSlice(schedule: FrameScheduler = defaultFrameScheduler): SliceCreator<ChatSlice> {
  return (set, get, { api, attempt }) => {
    /** Deltas not yet in the store, by message id, in arrival order. */
    const pending = new Map<string, StreamState>();
    let flushScheduled = false;
    const done = new Set<string>();

    function rememberDone(messageId: string): void {
      done.add(messageId);
      if (done.size > MAX_DONE_REMEMBERED) done.delete(done.values().next().value!);
    }

    function flush(): void {
      flushScheduled = false;
      if (pending.size === 0) return;
      const batch = [...pending.entries()];
      pending.clear();
      set((s) => {
        const streams = { ...s.streams };
        let generating = s.generating;
        for (const [messageId, delta] of batch) {
          let current = streams[messageId];
          if (!current) {
            if (done.has(messageId)) continue;
            // Joined mid-reply (the view reloaded while it streamed): continue from the saved text.
            const shown = s.messages[delta.sessionId]?.items.find((m) => m.id === messageId);
            if (!shown) continue;
            current = { sessionId: delta.sessionId, text: shown.content, reasoning: shown.reasoning };
            if (generating[delta.sessionId] === undefined || generating[delta.sessionId] === null) {
              generating = { ...generating, [delta.sessionId]: messageId };
            }
          }
          streams[messageId] = {
            sessionId: current.sessionId,
            text: current.text + delta.text,
            reasoning: current.reasoning + delta.reasoning,
          };
        }
        return { streams, generating };
      });
    }

    /** Draft saves waiting for a pause in typing, by chat. */
    const draftTimers = new Map<string, ReturnType<typeof setTimeout>>();

    /** Scroll places waiting to be written, by chat. */
    const placeTimers = new Map<string, ReturnType<typeof setTimeout>>();

    function saveScrollPlace(sessionId: string): Promise<unknown> {
      clearTimeout(placeTimers.get(sessionId));
      placeTimers.delete(sessionId);
      const place = get().scrollPlaces[sessionId];
      if (!place) return Promise.resolve();
      return attempt(() => api.ui.set({ key: scrollPlaceKey(sessionId), value: place }));
    }

    function saveDraft(sessionId: string): Promise<unknown> {
      clearTimeout(draftTimers.get(sessionId));
      draftTimers.delete(sessionId);
      const text = get().drafts[sessionId] ?? '';
      return attempt(() => api.ui.set({ key: draftKey(sessionId), value: text === '' ? null : text }));
    }

    function markGenerating(sessionId: string, messageId: string): void {
      if (done.has(messageId)) return;
      set((s) => ({
        generating: { ...s.generating, [sessionId]: messageId },
        streams: s.streams[messageId]
          ? s.streams
          : { ...s.streams, [messageId]: { sessionId, text: '', reasoning: '' } },
      }));
    }

    function clearGenerating(sessionId: string, onlyFor?: string): void {
      set((s) => {
        const current = s.generating[sessionId];
        if (current === undefined || (onlyFor !== undefined && current !== null && current !== onlyFor)) return {};
        const generating = { ...s.generating };
        delete generating[sessionId];
        return { generating };
      });
    }

    return {
      generating: {},
      streams: {},
      drafts: {},
      promptDrafts: {},
      scrollPlaces: {},
      findOpenFor: null,
      findRequest: 0,

      async loadActiveChats() {
        const active = await attempt(() => api.chat.active({}));
        if (!active.ok) return;
        set((s) => {
          const generating = { ...s.generating };
          for (const id of active.value.sessionIds) if (generating[id] === undefined) generating[id] = null;
          return { generating };
        });
      },

      handleChatStarted({ sessionId, messageId }) {
        markGenerating(sessionId, messageId);
      },

      handleChatDelta({ sessionId, messageId, text, reasoning = '' }) {
        if (text === '' && reasoning === '') return;
        const current = pending.get(messageId);
        pending.set(messageId, {
          sessionId,
          text: (current?.text ?? '') + text,
          reasoning: (current?.reasoning ?? '') + reasoning,
        });
        if (!flushScheduled) {
          flushScheduled = true;
          schedule(flush);
        }
      },

      replyEnded({ sessionId, messageId }) {
        // Whatever arrived before the end is shown before the final copy replaces it.
        flush();
        rememberDone(messageId);
        clearGenerating(sessionId, messageId);
      },

      dropStream(messageId) {
        set((s) => {
          if (!(messageId in s.streams)) return {};
          const streams = { ...s.streams };
          delete streams[messageId];
          return { streams };
        });
      },

      setDraft(sessionId, text) {
        if (get().drafts[sessionId] === text) return;
        set((s) => ({ drafts: { ...s.drafts, [sessionId]: text } }));
        // An emptied draft (sent) is forgotten at once, so a restart cannot bring a sent text back.
        if (text === '') {
          void saveDraft(sessionId);
          return;
        }
        clearTimeout(draftTimers.get(sessionId));
        draftTimers.set(
          sessionId,
          setTimeout(() => void saveDraft(sessionId), DRAFT_SAVE_DELAY_MS),
        );
      },

      async restoreDraft(sessionId) {
        if (get().drafts[sessionId] !== undefined) return;
        const saved = await attempt(() => api.ui.get({ key: draftKey(sessionId) }));
        if (!saved.ok || typeof saved.value !== 'string') return;
        const text = saved.value;
        set((s) => (s.drafts[sessionId] === undefined ? { drafts: { ...s.drafts, [sessionId]: text } } : {}));
      },

      async flushDrafts() {
        await Promise.all([
          ...[...draftTimers.keys()].map((sessionId) => saveDraft(sessionId)),
          ...[...placeTimers.keys()].map((sessionId) => saveScrollPlace(sessionId)),
        ]);
      },

      async loadScrollPlace(sessionId) {
        if (get().scrollPlaces[sessionId] !== undefined) return;
        const saved = await attempt(() => api.ui.get({ key: scrollPlaceKey(sessionId) }));
        const place = saved.ok ? parseScrollPlace(saved.value) : null;
        set((s) =>
          s.scrollPlaces[sessionId] === undefined ? { scrollPlaces: { ...s.scrollPlaces, [sessionId]: place } } : {},
        );
      },

      rememberScrollPlace(sessionId, place) {
        const current = get().scrollPlaces[sessionId];
        if (current && JSON.stringify(current) === JSON.stringify(place)) return;
        set((s) => ({ scrollPlaces: { ...s.scrollPlaces, [sessionId]: place } }));
        clearTimeout(placeTimers.get(sessionId));
        placeTimers.set(
          sessionId,
          setTimeout(() => void saveScrollPlace(sessionId), SCROLL_SAVE_DELAY_MS),
        );
      },

      setPromptDraft(sessionId, text) {
        set((s) => {
          const promptDrafts = { ...s.promptDrafts };
          if (text === null) delete promptDrafts[sessionId];
          else promptDrafts[sessionId] = text;
          return { promptDrafts };
        });
      },

      async send(sessionId, content) {
        // Without a provider the message is still saved, with a reply that says what to set up
        // and offers a retry, so nothing typed is lost.
        const files = () => get().draftAttachmentsForSend(sessionId);
        const sent = await attempt(() => api.chat.send({ sessionId, content, ...files() }));
        if (sent.ok) markGenerating(sessionId, sent.value.assistantMessage.id);
        if (sent.ok) get().clearDraftFiles(sessionId);
        return sent.ok;
      },

      async stop(sessionId) {
        const stopped = await attempt(() => api.chat.stop({ sessionId }));
        if (!stopped.ok) return null;
        // Nothing was running: a `chat.done` was missed (e.g. while reconnecting).
        if (!stopped.value.stopped) clearGenerating(sessionId);
        return stopped.value.stopped;
      },

      async regenerate(sessionId, messageId) {
        // A failed reply is retried in place, under the same id: its earlier end must not make
        // this run's start and deltas look like leftovers of a finished reply.
        done.delete(messageId);
        const started = await attempt(() => api.chat.regenerate({ messageId }));
        if (started.ok) markGenerating(sessionId, started.value.assistantMessage.id);
        return started.ok;
      },

      async edit(sessionId, messageId, content) {
        if (content.trim() === '') return false;
        const started = await attempt(() => api.chat.edit({ messageId, content }));
        if (started.ok) markGenerating(sessionId, started.value.assistantMessage.id);
        return started.ok;
      },

      async chooseSibling(sessionId, messageId, delta) {
        const switched = await attempt(async () => {
          const siblings = await api.messages.siblings({ messageId });
          const at = siblings.findIndex((m) => m.id === messageId);
          const target = at < 0 ? undefined : siblings[at + delta];
          return target ? api.sessions.setCurrentLeaf({ sessionId, messageId: target.id }) : null;
        });
        return switched.ok ? switched.value : null;
      },

      openFind(sessionId) {
        set((s) => ({ findOpenFor: sessionId, findRequest: s.findRequest + 1 }));
      },

      closeFind() {
        set({ findOpenFor: null });
      },
    };
  };
}
