/**
 * Model providers. The API key itself never crosses the contract.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
/**
 * Sampling parameters sent with a request. Each is optional: unset means the provider's own
 * default. Anthropic's current API takes only the output limit (it dropped sampling parameters).
 */
export interface ChatParams {
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
}

export type ProviderKind = 'openai' | 'anthropic';

export type ProviderPresetName = 'openai' | 'ollama' | 'lmstudio' | 'llamacpp' | 'openrouter' | 'anthropic' | 'custom';

/** A configured model provider. The API key itself never crosses the contract. */
export interface ProviderConfig {
  id: string;
  kind: ProviderKind;
  preset: ProviderPresetName;
  name: string;
  baseUrl: string;
  defaultModel: string | null;
  /** Models entered by hand; `providers.models` asks the server and falls back to these. */
  models: string[];
  /** Tokens of context per request; null uses ChatSettings.contextBudget. */
  contextBudget: number | null;
  /** Default sampling parameters for this provider's chats; a chat's own win. */
  params: ChatParams;
  enabled: boolean;
  /** A server on this machine: keeps working offline. */
  isLocal: boolean;
  hasApiKey: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ProviderPresetInfo {
  preset: ProviderPresetName;
  kind: ProviderKind;
  label: string;
  baseUrl: string;
  needsKey: boolean;
  isLocal: boolean;
}

/** A local server found running (Ollama, LM Studio) that is not necessarily configured yet. */
export interface DetectedProvider {
  preset: ProviderPresetName;
  baseUrl: string;
  models: string[];
}
