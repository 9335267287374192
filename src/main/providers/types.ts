/**
 * What the generation runner needs from a model provider. Providers wrap the official SDKs
 * (openai with baseURL for every OpenAI-compatible server, @anthropic-ai/sdk) and translate
 * their streams and errors into these shapes, so the runner never sees SDK types.
 */
export type ProviderKind = 'openai' | 'anthropic';

export type ProviderPreset = 'openai' | 'ollama' | 'lmstudio' | 'llamacpp' | 'openrouter' | 'anthropic' | 'custom';

export interface ProviderConnection {
  id: string;
  kind: ProviderKind;
  preset: ProviderPreset;
  baseUrl: string;
  /** Decrypted only in the main process, right before a request; never logged or sent to a view. */
  apiKey: string | null;
  /** Local servers (Ollama, LM Studio, llama.cpp) keep working offline. */
  isLocal: boolean;
}

/** An image sent with a turn to a vision model (attachments). */
export interface ImagePart {
  mediaType: string;
  /** The image's bytes, base64. */
  data: string;
}

/** A tool call a model asked for; `arguments` is the JSON text it wrote. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A tool offered to the model (MCP tools, by the name the model sees). */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: unknown;
}

export interface ChatTurn {
  /** 'tool': a tool's result, answering `toolCallId`. */
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Images of the turn, after its text. */
  images?: ImagePart[];
  /** An assistant turn's tool calls. */
  toolCalls?: ToolCall[];
  toolCallId?: string;
  /** A tool result that is an error. */
  isError?: boolean;
}

export interface StreamRequest {
  model: string;
  messages: ChatTurn[];
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  signal: AbortSignal;
  /** Milliseconds without any data before the request counts as timed out. */
  idleTimeoutMs?: number;
  /** Tools the model may call; its calls arrive as tool_call events at the end of the stream. */
  tools?: ToolSpec[];
}

export type StreamEvent =
  | { type: 'delta'; text: string }
  /** What a reasoning model thinks before it answers; kept apart from the answer's text. */
  | { type: 'reasoning'; text: string }
  /** Provider-reported usage (OpenAI include_usage chunk, Anthropic message_start/message_delta). */
  | { type: 'usage'; tokensIn: number; tokensOut: number }
  /** A complete tool call, after the reply's text (the model waits for its result). */
  | { type: 'tool_call'; call: ToolCall };

/** Error classes a user can understand; the runner turns each into a sentence and a retry. */
export type ProviderErrorCode =
  | 'auth' // 401/403: bad or missing key
  | 'model_not_found' // 404
  | 'rate_limited' // 429 (after one retry honouring retry-after)
  | 'server' // 5xx
  | 'timeout'
  | 'offline' // no network / connection refused
  | 'disconnected' // the stream broke mid-reply
  | 'bad_request' // 400/422
  | 'cancelled'; // the user pressed Stop

export class ProviderError extends Error {
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    /** The server's own words about a refused request, scrubbed of secrets; never a sentence of ours. */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface ChatProvider {
  readonly connection: ProviderConnection;
  /** Streams a reply. Throws ProviderError; partial text already yielded stays with the caller. */
  stream(request: StreamRequest): AsyncIterable<StreamEvent>;
  /** Model ids the server offers. Throws ProviderError when the server can't list them. */
  listModels(signal: AbortSignal): Promise<string[]>;
}
