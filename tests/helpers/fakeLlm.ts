/**
 * A real local HTTP server that speaks the OpenAI chat-completions and Anthropic messages
 * streaming protocols, so provider and runner tests exercise the official SDKs end to end
 * (HTTP, SSE parsing, error bodies, sockets) instead of mocks.
 *
 * Each request takes the next scripted behaviour from a queue; an empty queue echoes the last
 * user message. The protocol is chosen by path (/v1/chat/completions vs /v1/messages); the shared
 * GET /v1/models answers in Anthropic's shape when the request carries `anthropic-version`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Flavor,
  errorBody,
  finalFrames,
  nonStreamBody,
  preludeFrames,
  streamErrorFrame,
  textFrame,
  toolCallFrames,
} from './fakeLlmFormats';

export interface FakeUsage {
  input: number;
  output: number;
}

export type FakeScript =
  /** A complete streamed reply. `usage: null` sends none (as servers that ignore include_usage do). */
  /** `reasoning`: thinking sent before the text (OpenAI: delta.reasoning_content; Anthropic: a thinking block). */
  | { kind: 'text'; chunks: string[]; delayMs?: number; usage?: FakeUsage | null; reasoning?: string[] }
  | { kind: 'slow'; chunks: string[]; delayMs: number; usage?: FakeUsage | null }
  /** An HTTP error with the provider's real error JSON (or `body`), plus optional retry headers. */
  | { kind: 'status'; status: number; body?: unknown; retryAfter?: string | number; headers?: Record<string, string> }
  /**
   * Sends `afterChunks` text chunks, then destroys the socket; `graceful` ends the HTTP response
   * cleanly instead, but still without [DONE] / message_stop.
   */
  | { kind: 'disconnect'; afterChunks: number; chunks?: string[]; graceful?: boolean }
  /** Never answers; with `afterChunks`, sends headers and that many chunks, then stalls. */
  | { kind: 'hang'; afterChunks?: number; chunks?: string[] }
  /**
   * An error inside a 200 stream after `afterChunks` chunks: Anthropic's `event: error`
   * (default type overloaded_error) or OpenAI's `data: {"error": …}` (default server_error).
   */
  | { kind: 'stream_error'; afterChunks: number; chunks?: string[]; errorType?: string; message?: string }
  /** Text (optional), then tool calls in the provider's format; the model then waits for their results. */
  | { kind: 'tool_calls'; calls: FakeToolCall[]; chunks?: string[]; usage?: FakeUsage | null };

export interface FakeToolCall {
  id: string;
  name: string;
  /** JSON text, as a model writes it. */
  arguments: string;
}

export type FakeScriptSource = FakeScript | ((request: FakeRequest) => FakeScript);

export interface FakeRequestBody {
  model?: string;
  messages?: { role: string; content: unknown }[];
  system?: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  [key: string]: unknown;
}

export interface FakeRequest {
  method: string;
  path: string;
  /** Lower-cased, as node:http gives them. */
  headers: IncomingHttpHeaders;
  body: FakeRequestBody | null;
}

export interface FakeLlm {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Base URL for the openai SDK (`…/v1`). */
  readonly openaiBaseUrl: string;
  /** Base URL for @anthropic-ai/sdk, which appends /v1 itself. */
  readonly anthropicBaseUrl: string;
  readonly requests: FakeRequest[];
  /** Served by GET /v1/models; tests may replace it. */
  models: string[];
  enqueue(...scripts: FakeScriptSource[]): void;
  /** Scripts not yet consumed. */
  pending(): number;
  lastRequest(): FakeRequest | undefined;
  /** Responses still open (streaming or hanging), to check that a client really hung up. */
  openResponses(): number;
  close(): Promise<void>;
}

export interface FakeLlmOptions {
  models?: string[];
}

export const DEFAULT_FAKE_MODELS = ['fake-small', 'fake-large'];
export const DEFAULT_FAKE_USAGE: FakeUsage = { input: 11, output: 7 };

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const queue: FakeScriptSource[] = [];
  const requests: FakeRequest[] = [];
  const sockets = new Set<Socket>();
  const openResponses = new Set<ServerResponse>();
  let responseCount = 0;

  const server = createServer((req, res) => {
    openResponses.add(res);
    res.on('close', () => openResponses.delete(res));
    readRequest(req)
      .then((request) => {
        requests.push(request);
        const next = queue.shift() ?? echoScript;
        const script = typeof next === 'function' ? next(request) : next;
        return respond(request, script, res, ++responseCount, fake.models);
      })
      // A client that hangs up mid-request is a scenario under test, not a fake failure.
      .catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const fake: FakeLlm = {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    requests,
    models: [...(options.models ?? DEFAULT_FAKE_MODELS)],
    enqueue: (...scripts) => void queue.push(...scripts),
    pending: () => queue.length,
    lastRequest: () => requests.at(-1),
    openResponses: () => openResponses.size,
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging and keep-alive sockets would otherwise hold close() open indefinitely.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return fake;
}

function echoScript(request: FakeRequest): FakeScript {
  return { kind: 'text', chunks: ['Echo: ', lastUserText(request.body)] };
}

function lastUserText(body: FakeRequestBody | null): string {
  const user = body?.messages?.filter((m) => m.role === 'user').at(-1);
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  if (Array.isArray(user.content)) {
    return user.content.map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : '')).join('');
  }
  return '';
}

async function readRequest(req: IncomingMessage): Promise<FakeRequest> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  let body: FakeRequestBody | null = null;
  if (text) {
    try {
      body = JSON.parse(text) as FakeRequestBody;
    } catch {
      body = null;
    }
  }
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  return { method: req.method ?? 'GET', path, headers: req.headers, body };
}

function flavorOf(request: FakeRequest): Flavor {
  if (request.path.endsWith('/messages')) return 'anthropic';
  if (request.path.endsWith('/chat/completions')) return 'openai';
  return request.headers['anthropic-version'] ? 'anthropic' : 'openai';
}

function presentedKey(headers: IncomingHttpHeaders): string {
  const auth = headers.authorization ?? '';
  const key = headers['x-api-key'];
  return auth.replace(/^Bearer\s+/i, '') || (typeof key === 'string' ? key : '');
}

async function respond(
  request: FakeRequest,
  script: FakeScript,
  res: ServerResponse,
  id: number,
  models: string[],
): Promise<void> {
  const flavor = flavorOf(request);
  const isModels = request.method === 'GET' && request.path.endsWith('/models');
  const isChat = request.method === 'POST' && /\/(chat\/completions|messages)$/.test(request.path);

  if (script.kind === 'status') return sendStatus(res, flavor, script, request);
  if (script.kind === 'hang' && !script.afterChunks) return; // never answer; close() destroys the socket
  if (!isModels && !isChat) {
    return sendJson(res, 404, {
      error: { message: `No route for ${request.method} ${request.path}`, type: 'not_found' },
    });
  }
  if (isModels) {
    if (script.kind === 'disconnect') return void res.socket?.destroy();
    return sendJson(res, 200, modelsBody(flavor, models));
  }
  return sendChat(request, flavor, script, res, id);
}

async function sendChat(request: FakeRequest, flavor: Flavor, script: FakeScript, res: ServerResponse, id: number) {
  const model = request.body?.model ?? 'fake-model';
  const chunks =
    'chunks' in script && script.chunks ? script.chunks : script.kind === 'tool_calls' ? [] : ['Hel', 'lo'];
  const usage = 'usage' in script ? script.usage : DEFAULT_FAKE_USAGE;

  if (!request.body?.stream) {
    if (script.kind === 'disconnect') return void res.socket?.destroy();
    if (script.kind === 'hang') return;
    if (script.kind === 'stream_error') return sendJson(res, 500, errorBody(flavor, 500, model, ''));
    return sendJson(res, 200, nonStreamBody(flavor, id, model, chunks.join(''), usage ?? DEFAULT_FAKE_USAGE));
  }

  const includeUsage = flavor === 'anthropic' || request.body.stream_options?.include_usage === true;
  const reasoning = script.kind === 'text' ? (script.reasoning ?? []) : [];
  const frameOptions = { flavor, id, model, includeUsage, usage: usage ?? null, textIndex: reasoning.length > 0 ? 1 : 0 };
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  await write(res, preludeFrames(frameOptions, reasoning).join(''));

  const limit =
    script.kind === 'disconnect' || script.kind === 'hang' || script.kind === 'stream_error'
      ? (script.afterChunks ?? 0)
      : chunks.length;
  const delayMs = script.kind === 'text' || script.kind === 'slow' ? (script.delayMs ?? 0) : 0;
  for (const [index, chunk] of chunks.slice(0, limit).entries()) {
    if (delayMs > 0 && index > 0) await sleep(delayMs);
    if (res.destroyed) return;
    await write(res, textFrame(frameOptions, chunk));
  }

  if (script.kind === 'hang') return;
  if (script.kind === 'stream_error') return void res.end(streamErrorFrame(flavor, script.errorType, script.message));
  if (script.kind === 'disconnect') {
    if (script.graceful) res.end();
    else res.socket?.destroy();
    return;
  }
  if (delayMs > 0) await sleep(delayMs);
  if (res.destroyed) return;
  if (script.kind === 'tool_calls') return void res.end(toolCallFrames(frameOptions, script.calls).join(''));
  res.end(finalFrames(frameOptions).join(''));
}

function write(res: ServerResponse, data: string): Promise<void> {
  // Waiting for the flush matters for 'disconnect': the chunks must reach the client before the socket dies.
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(data, () => resolve());
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendStatus(
  res: ServerResponse,
  flavor: Flavor,
  script: Extract<FakeScript, { kind: 'status' }>,
  request: FakeRequest,
): void {
  const headers: Record<string, string> = { ...script.headers };
  if (script.retryAfter !== undefined) headers['retry-after'] = String(script.retryAfter);
  const model = request.body?.model ?? '';
  const body = script.body ?? errorBody(flavor, script.status, model, presentedKey(request.headers));
  sendJson(res, script.status, body, headers);
}

function modelsBody(flavor: Flavor, models: string[]): unknown {
  if (flavor === 'anthropic') {
    const data = models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2026-01-01T00:00:00Z' }));
    return { data, has_more: false, first_id: models[0] ?? null, last_id: models.at(-1) ?? null };
  }
  return { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1767225600, owned_by: 'fake' })) };
}

/** Drains a provider stream, keeping what arrived before a failure: the runner's view of it. */
export async function collectStream<T>(iterable: AsyncIterable<T>): Promise<{ events: T[]; error: unknown }> {
  const events: T[] = [];
  try {
    for await (const event of iterable) events.push(event);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}
