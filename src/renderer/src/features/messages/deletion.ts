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

export const createMessageDeletionSlice: SliceCreator<MessageDeletionSlice> = (set, get, api) => ({
  messageUndo: null,

  async deleteMessage(sessionId, messageId) {
    try {
      const result = await api.messages.delete({ messageId });
      set({ messageUndo: { sessionId, messageId, count: result.deletedIds.length } });
    } catch (error) {
      get().reportError(error);
      return false;
    }
    // The event would reload too; this makes the list right even if the event is missed.
    await get().reloadMessages(sessionId);
    return true;
  },

  async undoMessageDelete() {
    const undo = get().messageUndo;
    if (!undo) return;
    set({ messageUndo: null });
    try {
      await api.messages.restore({ messageId: undo.messageId });
    } catch (error) {
      get().reportError(error);
      return;
    }
    await get().reloadMessages(undo.sessionId);
  },

  dismissMessageUndo() {
    set({ messageUndo: null });
  },
});
