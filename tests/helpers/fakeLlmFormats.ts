/**
 * Wire formats for the fake LLM server, copied from what the real APIs send: OpenAI
 * chat.completion.chunk SSE (with `usage: null` on every chunk when include_usage is on, then a
 * choices-less usage chunk, then [DONE]) and Anthropic's named SSE events with pings.
 */
export type Flavor = 'openai' | 'anthropic';

export interface FrameOptions {
  flavor: Flavor;
  id: number;
  model: string;
  /** OpenAI: the client asked for stream_options.include_usage. Always true for Anthropic. */
  includeUsage: boolean;
  usage: { input: number; output: number } | null;
  /** Anthropic: the text block's index (1 when a thinking block came first). */
  textIndex?: number;
}

const CREATED = 1767225600;

function data(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

function event(name: string, payload: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
}

function openaiChunk(o: FrameOptions, choices: unknown[], extra: Record<string, unknown> = {}): string {
  const base = { id: `chatcmpl-fake${o.id}`, object: 'chat.completion.chunk', created: CREATED, model: o.model };
  return data({
    ...base,
    system_fingerprint: 'fp_fake',
    choices,
    ...(o.includeUsage ? { usage: null } : {}),
    ...extra,
  });
}

/** The stream's opening, with the model's reasoning first when there is some. */
export function preludeFrames(o: FrameOptions, reasoning: string[] = []): string[] {
  if (o.flavor === 'openai') {
    return [
      openaiChunk(o, [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]),
      ...reasoning.map((r) =>
        openaiChunk(o, [{ index: 0, delta: { reasoning_content: r }, logprobs: null, finish_reason: null }]),
      ),
    ];
  }
  const thinking = reasoning.length
    ? [
        event('content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'thinking', thinking: '', signature: '' },
        }),
        ...reasoning.map((r) =>
          event('content_block_delta', {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'thinking_delta', thinking: r },
          }),
        ),
        event('content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'signature_delta', signature: 'fake-signature' },
        }),
        event('content_block_stop', { type: 'content_block_stop', index: 0 }),
      ]
    : [];
  const usage = o.usage ? { usage: { input_tokens: o.usage.input, output_tokens: 1 } } : {};
  const message = {
    id: `msg_fake${o.id}`,
    type: 'message',
    role: 'assistant',
    model: o.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    ...usage,
  };
  return [
    event('message_start', { type: 'message_start', message }),
    ...thinking,
    event('content_block_start', {
      type: 'content_block_start',
      index: o.textIndex ?? 0,
      content_block: { type: 'text', text: '' },
    }),
    event('ping', { type: 'ping' }),
  ];
}

export function textFrame(o: FrameOptions, text: string): string {
  if (o.flavor === 'openai') {
    return openaiChunk(o, [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }]);
  }
  return event('content_block_delta', {
    type: 'content_block_delta',
    index: o.textIndex ?? 0,
    delta: { type: 'text_delta', text },
  });
}

export function finalFrames(o: FrameOptions): string[] {
  if (o.flavor === 'openai') {
    const frames = [openaiChunk(o, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }])];
    if (o.includeUsage && o.usage) {
      const usage = {
        prompt_tokens: o.usage.input,
        completion_tokens: o.usage.output,
        total_tokens: o.usage.input + o.usage.output,
      };
      frames.push(openaiChunk(o, [], { usage }));
    }
    frames.push('data: [DONE]\n\n');
    return frames;
  }
  const usage = o.usage ? { usage: { output_tokens: o.usage.output } } : {};
  return [
    event('content_block_stop', { type: 'content_block_stop', index: o.textIndex ?? 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      ...usage,
    }),
    event('message_stop', { type: 'message_stop' }),
  ];
}

/** The end of a reply that asks for tools: the calls in pieces, then the tool-use stop. */
export function toolCallFrames(o: FrameOptions, calls: { id: string; name: string; arguments: string }[]): string[] {
  const halves = (text: string) => [text.slice(0, Math.ceil(text.length / 2)), text.slice(Math.ceil(text.length / 2))];
  if (o.flavor === 'openai') {
    const delta = (toolCalls: unknown[]) =>
      openaiChunk(o, [{ index: 0, delta: { tool_calls: toolCalls }, logprobs: null, finish_reason: null }]);
    const frames = calls.flatMap((call, index) => [
      delta([{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }]),
      ...halves(call.arguments).map((part) => delta([{ index, function: { arguments: part } }])),
    ]);
    frames.push(openaiChunk(o, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }]));
    if (o.includeUsage && o.usage) {
      const usage = {
        prompt_tokens: o.usage.input,
        completion_tokens: o.usage.output,
        total_tokens: o.usage.input + o.usage.output,
      };
      frames.push(openaiChunk(o, [], { usage }));
    }
    frames.push('data: [DONE]\n\n');
    return frames;
  }
  const first = (o.textIndex ?? 0) + 1;
  const usage = o.usage ? { usage: { output_tokens: o.usage.output } } : {};
  return [
    event('content_block_stop', { type: 'content_block_stop', index: o.textIndex ?? 0 }),
    ...calls.flatMap((call, i) => [
      event('content_block_start', {
        type: 'content_block_start',
        index: first + i,
        content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      }),
      ...halves(call.arguments).map((part) =>
        event('content_block_delta', {
          type: 'content_block_delta',
          index: first + i,
          delta: { type: 'input_json_delta', partial_json: part },
        }),
      ),
      event('content_block_stop', { type: 'content_block_stop', index: first + i }),
    ]),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      ...usage,
    }),
    event('message_stop', { type: 'message_stop' }),
  ];
}

export function nonStreamBody(
  flavor: Flavor,
  id: number,
  model: string,
  text: string,
  usage: { input: number; output: number },
): unknown {
  if (flavor === 'openai') {
    return {
      id: `chatcmpl-fake${id}`,
      object: 'chat.completion',
      created: CREATED,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
    };
  }
  return {
    id: `msg_fake${id}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output },
  };
}

const OPENAI_ERRORS: Record<
  number,
  { type: string; code: string | null; message: (model: string, key: string) => string }
> = {
  // Real OpenAI masks most of the key here; the fake echoes it whole, the worst case a server could do.
  401: {
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: (_m, key) =>
      `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`,
  },
  403: {
    type: 'invalid_request_error',
    code: 'unsupported_country_region_territory',
    message: () => 'Country, region, or territory not supported',
  },
  404: {
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: (model) => `The model \`${model}\` does not exist or you do not have access to it.`,
  },
  429: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: () => 'Rate limit reached for requests. Please try again in 1s.',
  },
  400: { type: 'invalid_request_error', code: null, message: () => "Invalid value for 'messages': expected an array." },
  422: { type: 'invalid_request_error', code: null, message: () => 'Unprocessable entity.' },
  500: {
    type: 'server_error',
    code: null,
    message: () => 'The server had an error while processing your request. Sorry about that!',
  },
  503: {
    type: 'server_error',
    code: null,
    message: () => 'The engine is currently overloaded, please try again later.',
  },
};

const ANTHROPIC_ERRORS: Record<number, { type: string; message: (model: string, key: string) => string }> = {
  401: { type: 'authentication_error', message: (_m, key) => `invalid x-api-key: ${key}` },
  403: {
    type: 'permission_error',
    message: () => 'Your API key does not have permission to use the specified resource.',
  },
  404: { type: 'not_found_error', message: (model) => `model: ${model}` },
  429: { type: 'rate_limit_error', message: () => 'Number of request tokens has exceeded your per-minute rate limit.' },
  400: { type: 'invalid_request_error', message: () => 'messages: at least one message is required' },
  422: { type: 'invalid_request_error', message: () => 'Unprocessable entity.' },
  500: { type: 'api_error', message: () => 'Internal server error' },
  503: { type: 'api_error', message: () => 'Service unavailable' },
  529: { type: 'overloaded_error', message: () => 'Overloaded' },
};

/** The provider's real error JSON for a status; unknown statuses fall back to the generic server error. */
export function errorBody(flavor: Flavor, status: number, model: string, key: string): unknown {
  if (flavor === 'openai') {
    const spec = OPENAI_ERRORS[status] ?? OPENAI_ERRORS[500]!;
    return { error: { message: spec.message(model, key), type: spec.type, param: null, code: spec.code } };
  }
  const spec = ANTHROPIC_ERRORS[status] ?? ANTHROPIC_ERRORS[500]!;
  return { type: 'error', error: { type: spec.type, message: spec.message(model, key) }, request_id: 'req_fake' };
}

/** An error reported inside a stream that already answered 200. */
export function streamErrorFrame(flavor: Flavor, errorType?: string, message?: string): string {
  if (flavor === 'openai') {
    return data({
      error: {
        message: message ?? 'The server had an error while processing your request.',
        type: errorType ?? 'server_error',
        param: null,
        code: null,
      },
    });
  }
  return event('error', {
    type: 'error',
    error: { type: errorType ?? 'overloaded_error', message: message ?? 'Overloaded' },
  });
}
