/**
 * App-wide chat settings.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
export interface ChatSettings {
  /** Let the model name a new chat after its first exchange. */
  autoTitle: boolean;
  defaultProviderId: string | null;
  defaultModel: string | null;
  /** Tokens of context sent per request when the provider sets none. */
  contextBudget: number;
}
