import type { SliceCreator } from '../../app/types';

export interface MessageUndo {
  sessionId: string;
  messageId: string;
  /** How many messages the delete hid: the message and what followed from it. */
  count: number;
}

export interface MessageDeletionSlice {
  /** The last message delete, while its undo toast is up. */
  messageUndo: MessageUndo | null;
  /** Deletes a message and everything after it on its branches, offering an undo. */
  deleteMessage(sessionId: string, messageId: string): Promise<boolean>;
  undoMessageDelete(): Promise<void>;
  dismissMessageUndo(): void;
}

export const createMessageDeletionSlice: SliceCreator<MessageDeletionSlice> = (set, get, { api, attempt }) => ({
  messageUndo: null,

  async deleteMessage(sessionId, messageId) {
    const deleted = await attempt(() => api.messages.delete({ messageId }));
    if (!deleted.ok) return false;
    set({ messageUndo: { sessionId, messageId, count: deleted.value.deletedIds.length } });
    // The event would reload too; this makes the list right even if the event is missed.
    await get().reloadMessages(sessionId);
    return true;
  },

  async undoMessageDelete() {
    const undo = get().messageUndo;
    if (!undo) return;
    set({ messageUndo: null });
    const restored = await attempt(() => api.messages.restore({ messageId: undo.messageId }));
    if (restored.ok) await get().reloadMessages(undo.sessionId);
  },

  dismissMessageUndo() {
    set({ messageUndo: null });
  },
});
