/**
 * Chats (sessions) as they cross the contract.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
import type { MessageRole } from './messages';
import type { ChatParams } from './providers';

export type SessionStatus = 'active' | 'archived';

export type SessionView = 'active' | 'archived' | 'trash';

export type Visibility = 'private' | 'team';

export interface Session {
  id: string;
  ownerId: string;
  title: string;
  description: string;
  status: SessionStatus;
  pinned: boolean;
  tags: string[];
  providerId: string | null;
  model: string | null;
  systemPrompt: string;
  settings: Record<string, unknown>;
  /** This chat's sampling parameters (from settings.params); they win over the provider's. */
  params: ChatParams;
  visibility: Visibility;
  currentLeafId: string | null;
  messageCount: number;
  tokensIn: number;
  tokensOut: number;
  lastMessageAt: string | null;
  lastActivityAt: string;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
}

export interface SessionSummary extends Session {
  lastMessagePreview: string | null;
  lastMessageRole: MessageRole | null;
}
