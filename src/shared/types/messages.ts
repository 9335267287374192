/**
 * Messages: a tree per chat, shown one branch at a time.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
export type MessageRole = 'user' | 'assistant' | 'system' | 'tool';

export type MessageStatus = 'pending' | 'streaming' | 'complete' | 'error' | 'cancelled' | 'interrupted';

export interface Message {
  id: string;
  sessionId: string;
  parentId: string | null;
  depth: number;
  role: MessageRole;
  content: string;
  /** What a reasoning model thought before answering: shown folded, never sent back as context. */
  reasoning: string;
  contentType: string;
  status: MessageStatus;
  providerId: string | null;
  model: string | null;
  tokensIn: number | null;
  tokensOut: number | null;
  tokensEstimated: boolean;
  latencyMs: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  toolCalls: unknown;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

/** A message as shown in a branch: with its position among its siblings for the ‹ 2/3 › switcher. */
export interface BranchMessage extends Message {
  siblingCount: number;
  siblingIndex: number;
}

/** What messages.delete hid (or messages.restore brought back), and the branch now shown. */
export interface MessageDeletion {
  sessionId: string;
  /** The chosen message first, then what followed from it. */
  deletedIds: string[];
  /** The session's leaf afterwards; null once the chat has no messages left. */
  currentLeafId: string | null;
}

/** Jumping to a message (issue 4): the page of its branch around it, and cursors both ways. */
export interface MessageWindow {
  sessionId: string;
  /** The message jumped to; it is in `items`. */
  messageId: string;
  /** The leaf of the branch shown: the session's current leaf afterwards. */
  leafId: string;
  /** True when the jump switched the session to another branch. */
  branchChanged: boolean;
  /** Oldest first. */
  items: BranchMessage[];
  /** `messages.listBranch` cursor for the page above items[0]; null at the root. */
  olderCursor: string | null;
  /** `messages.listNewer` `after` for the page below the last item; null when items reach the leaf. */
  newerCursor: string | null;
}
