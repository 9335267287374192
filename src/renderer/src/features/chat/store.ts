import type { EventMap } from '@shared/contract';
import type { Message, Session } from '@shared/types';
import type { SliceCreator } from '../../app/types';

/** Text streamed into one assistant message since its reply started. */
export interface StreamState {
  sessionId: string;
  text: string;
}

export interface ChatSlice {
  /**
   * Sessions writing a reply, with the reply's message id (null when known only from
   * `chat.active`, e.g. after a reload mid-reply).
   */
  generating: Record<string, string | null>;
  /**
   * Live text of replies by message id. Kept from `chat.started` until the final message has been
   * re-read after `chat.done`, so the shown text never jumps back to an older saved copy.
   */
  streams: Record<string, StreamState>;
  loadActiveChats(): Promise<void>;
  handleChatStarted(event: EventMap['chat.started']): void;
  handleChatDelta(event: EventMap['chat.delta']): void;
  handleChatDone(event: EventMap['chat.done']): Promise<void>;
  /** Notes a reply this view started (the events may have come first, or not at all). */
  replyStarted(sessionId: string, assistant: Message): void;
  stopGeneration(sessionId: string): Promise<void>;
  /** A new answer as a sibling of this assistant message (Regenerate and Retry). */
  regenerate(sessionId: string, messageId: string): Promise<boolean>;
  /** A changed copy of this user message as its sibling, and a new answer to it. */
  editMessage(sessionId: string, messageId: string, content: string): Promise<boolean>;
  /** Shows the previous (-1) or next (+1) sibling of this message, with its newest continuation. */
  switchBranch(sessionId: string, messageId: string, delta: 1 | -1): Promise<void>;
}

export type FrameScheduler = (flush: () => void) => void;

/** One store update per animation frame however fast deltas arrive; timers where there are no frames. */
export const defaultFrameScheduler: FrameScheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => flush());
  else setTimeout(flush, 16);
};

/** Finished replies remembered so a late `chat.send` answer cannot mark a chat busy again. */
const MAX_DONE_REMEMBERED = 200;

export function createChatSlice(schedule: FrameScheduler = defaultFrameScheduler): SliceCreator<ChatSlice> {
  return (set, get, api) => {
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
            current = { sessionId: delta.sessionId, text: shown.content };
            if (generating[delta.sessionId] === undefined || generating[delta.sessionId] === null) {
              generating = { ...generating, [delta.sessionId]: messageId };
            }
          }
          streams[messageId] = { sessionId: current.sessionId, text: current.text + delta.text };
        }
        return { streams, generating };
      });
    }

    function markGenerating(sessionId: string, messageId: string): void {
      if (done.has(messageId)) return;
      set((s) => ({
        generating: { ...s.generating, [sessionId]: messageId },
        streams: s.streams[messageId] ? s.streams : { ...s.streams, [messageId]: { sessionId, text: '' } },
      }));
    }

    function dropStream(messageId: string): void {
      set((s) => {
        if (!(messageId in s.streams)) return {};
        const streams = { ...s.streams };
        delete streams[messageId];
        return { streams };
      });
    }

    function applySession(session: Session): void {
      get().sessionChanged(session);
    }

    return {
      generating: {},
      streams: {},

      async loadActiveChats() {
        try {
          const { sessionIds } = await api.chat.active({});
          set((s) => {
            const generating = { ...s.generating };
            for (const id of sessionIds) if (generating[id] === undefined) generating[id] = null;
            return { generating };
          });
        } catch (error) {
          get().reportError(error);
        }
      },

      handleChatStarted({ sessionId, messageId }) {
        markGenerating(sessionId, messageId);
      },

      handleChatDelta({ sessionId, messageId, text }) {
        if (text === '') return;
        const current = pending.get(messageId);
        pending.set(messageId, { sessionId, text: (current?.text ?? '') + text });
        if (!flushScheduled) {
          flushScheduled = true;
          schedule(flush);
        }
      },

      async handleChatDone({ sessionId, messageId }) {
        // Whatever arrived before the end is shown before the final copy replaces it.
        flush();
        rememberDone(messageId);
        set((s) => {
          const current = s.generating[sessionId];
          if (current === undefined || (current !== null && current !== messageId)) return {};
          const generating = { ...s.generating };
          delete generating[sessionId];
          return { generating };
        });
        if (get().messages[sessionId]) await get().reloadMessages(sessionId);
        dropStream(messageId);
      },

      replyStarted(sessionId, assistant) {
        markGenerating(sessionId, assistant.id);
      },

      async stopGeneration(sessionId) {
        try {
          const { stopped } = await api.chat.stop({ sessionId });
          if (!stopped) {
            // Nothing was running: a `chat.done` was missed (e.g. while reconnecting).
            set((s) => {
              if (s.generating[sessionId] === undefined) return {};
              const generating = { ...s.generating };
              delete generating[sessionId];
              return { generating };
            });
            if (get().messages[sessionId]) await get().reloadMessages(sessionId);
          }
        } catch (error) {
          get().reportError(error);
        }
      },

      async regenerate(sessionId, messageId) {
        try {
          const { assistantMessage } = await api.chat.regenerate({ messageId });
          markGenerating(sessionId, assistantMessage.id);
        } catch (error) {
          get().reportError(error);
          return false;
        }
        await get().reloadMessages(sessionId);
        return true;
      },

      async editMessage(sessionId, messageId, content) {
        if (content.trim() === '') return false;
        try {
          const { assistantMessage } = await api.chat.edit({ messageId, content });
          markGenerating(sessionId, assistantMessage.id);
        } catch (error) {
          get().reportError(error);
          return false;
        }
        await get().reloadMessages(sessionId);
        return true;
      },

      async switchBranch(sessionId, messageId, delta) {
        try {
          const siblings = await api.messages.siblings({ messageId });
          const at = siblings.findIndex((m) => m.id === messageId);
          const target = at < 0 ? undefined : siblings[at + delta];
          if (!target) return;
          applySession(await api.sessions.setCurrentLeaf({ sessionId, messageId: target.id }));
        } catch (error) {
          get().reportError(error);
          return;
        }
        await get().reloadMessages(sessionId);
      },
    };
  };
}
