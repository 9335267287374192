/**
 * Seed builders: whole, valid entities with sensible defaults, for fake-API handlers to return.
 * They hold no state; a test that needs a real backend (lists, branches, paging, search) uses
 * the real core (realCore.ts) instead.
 */
import { uuidv7 } from '@shared/ids';
import type {
  BranchMessage,
  ChatSettings,
  Message,
  Page,
  ProviderConfig,
  ProviderPresetInfo,
  Session,
  SessionSummary,
} from '@shared/types';
import { chatItem, itemKey, type WorkspaceItem } from '../app/workspace/items';
import { serializeTabs, type SavedTabsV2 } from '../app/workspace/saved';

export const LOCAL_USER_ID = '00000000-0000-7000-8000-000000000001';

let clock = Date.parse('2026-11-01T10:00:00Z');
/** Strictly increasing timestamps, so "newest first" is deterministic. */
export function tick(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

export function aSession(fields: Partial<Session> = {}): Session {
  const now = tick();
  return {
    id: uuidv7(),
    ownerId: LOCAL_USER_ID,
    title: '',
    description: '',
    status: 'active',
    pinned: false,
    tags: [],
    providerId: null,
    model: null,
    systemPrompt: '',
    settings: {},
    params: {},
    visibility: 'private',
    currentLeafId: null,
    messageCount: 0,
    tokensIn: 0,
    tokensOut: 0,
    lastMessageAt: null,
    lastActivityAt: now,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    ...fields,
  };
}

export function aSummary(fields: Partial<SessionSummary> = {}): SessionSummary {
  return { lastMessagePreview: null, lastMessageRole: null, ...aSession(fields), ...fields };
}

export function aMessage(fields: Partial<Message> & Pick<Message, 'sessionId'>): Message {
  const now = tick();
  return {
    id: uuidv7(),
    parentId: null,
    depth: 0,
    role: 'user',
    content: '',
    contentType: 'text/plain',
    status: 'complete',
    providerId: null,
    model: null,
    tokensIn: null,
    tokensOut: null,
    tokensEstimated: false,
    latencyMs: null,
    errorCode: null,
    errorMessage: null,
    toolCalls: null,
    reasoning: '',
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    ...fields,
  };
}

/** A branch of single-version messages, each the child of the one before, oldest first. */
export function aBranch(sessionId: string, messages: readonly Partial<Message>[]): BranchMessage[] {
  const branch: BranchMessage[] = [];
  for (const fields of messages) {
    const parent = branch.at(-1);
    branch.push({
      ...aMessage({ sessionId, parentId: parent?.id ?? null, depth: branch.length, ...fields }),
      siblingCount: 1,
      siblingIndex: 0,
    });
  }
  return branch;
}

export function aProvider(fields: Partial<ProviderConfig> = {}): ProviderConfig {
  const now = tick();
  return {
    id: uuidv7(),
    kind: 'openai',
    preset: 'custom',
    name: 'Test provider',
    baseUrl: 'http://127.0.0.1:9/v1',
    defaultModel: null,
    models: [],
    contextBudget: null,
    params: {},
    enabled: true,
    isLocal: true,
    hasApiKey: false,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

export function someChatSettings(fields: Partial<ChatSettings> = {}): ChatSettings {
  return { autoTitle: true, defaultProviderId: null, defaultModel: null, contextBudget: 8000, ...fields };
}

export function onePage<T>(items: T[]): Page<T> {
  return { items, nextCursor: null };
}

/** Saved tabs as this build writes them (ui_state `tabs`), showing the last one (or `active`). */
export function savedTabs(items: readonly (WorkspaceItem | string)[], active?: WorkspaceItem | string): SavedTabsV2 {
  const asItem = (entry: WorkspaceItem | string) => (typeof entry === 'string' ? chatItem(entry) : entry);
  const all = items.map(asItem);
  const shown = active === undefined ? all.at(-1) : asItem(active);
  return serializeTabs(all, shown ? itemKey(shown) : null);
}

/** What main's presets answer (src/main/chat/providers/presets): the same list the settings form offers. */
export const PRESETS: ProviderPresetInfo[] = [
  {
    preset: 'openai',
    kind: 'openai',
    label: 'OpenAI',
    baseUrl: 'https://api.openai.com/v1',
    needsKey: true,
    isLocal: false,
  },
  {
    preset: 'anthropic',
    kind: 'anthropic',
    label: 'Anthropic',
    baseUrl: 'https://api.anthropic.com',
    needsKey: true,
    isLocal: false,
  },
  {
    preset: 'openrouter',
    kind: 'openai',
    label: 'OpenRouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    needsKey: true,
    isLocal: false,
  },
  {
    preset: 'ollama',
    kind: 'openai',
    label: 'Ollama',
    baseUrl: 'http://localhost:11434/v1',
    needsKey: false,
    isLocal: true,
  },
  {
    preset: 'lmstudio',
    kind: 'openai',
    label: 'LM Studio',
    baseUrl: 'http://localhost:1234/v1',
    needsKey: false,
    isLocal: true,
  },
  {
    preset: 'llamacpp',
    kind: 'openai',
    label: 'llama.cpp server',
    baseUrl: 'http://localhost:8080/v1',
    needsKey: false,
    isLocal: true,
  },
  {
    preset: 'custom',
    kind: 'openai',
    label: 'Custom (OpenAI-compatible)',
    baseUrl: '',
    needsKey: false,
    isLocal: false,
  },
];
