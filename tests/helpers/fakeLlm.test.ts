/**
 * The fake's wire format, read with plain fetch (no SDK), so a provider test that passes is
 * known to have parsed the real protocol shapes rather than something the SDK forgave.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from './fakeLlm';

interface SseEvent {
  event: string | null;
  data: string;
}

function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? null;
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data };
    });
}

describe('fake LLM server', () => {
  let fake: FakeLlm;
  beforeEach(async () => {
    fake = await startFakeLlm();
  });
  afterEach(async () => {
    await fake.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('streams OpenAI chunks, then usage only when include_usage was asked for, then [DONE]', async () => {
    fake.enqueue(
      { kind: 'text', chunks: ['a', 'b'], usage: { input: 3, output: 2 } },
      { kind: 'text', chunks: ['a'], usage: { input: 3, output: 2 } },
    );
    const withUsage = parseSse(
      await (
        await post('/v1/chat/completions', { model: 'm', stream: true, stream_options: { include_usage: true } })
      ).text(),
    );
    const chunks = withUsage.slice(0, -1).map(
      (e) =>
        JSON.parse(e.data) as {
          object: string;
          choices: { delta: { content?: string }; finish_reason: string | null }[];
          usage?: unknown;
        },
    );
    expect(withUsage.at(-1)?.data).toBe('[DONE]');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(['', 'a', 'b', null, null]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });

    const without = parseSse(await (await post('/v1/chat/completions', { model: 'm', stream: true })).text());
    expect(without.some((e) => e.data.includes('prompt_tokens'))).toBe(false);
    expect(without.at(-1)?.data).toBe('[DONE]');
  });

  it('streams Anthropic named events in order, with a ping', async () => {
    fake.enqueue({ kind: 'text', chunks: ['x', 'y'], usage: { input: 9, output: 4 } });
    const res = await post(
      '/v1/messages',
      { model: 'claude', stream: true, max_tokens: 10 },
      { 'anthropic-version': '2026-10-21' },
    );
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(JSON.parse(events[0]!.data)).toMatchObject({ message: { usage: { input_tokens: 9 } } });
    expect(JSON.parse(events[6]!.data)).toMatchObject({
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 4 },
    });
  });

  it('answers non-streaming requests too', async () => {
    fake.enqueue({ kind: 'text', chunks: ['whole ', 'reply'] });
    const openai = (await (await post('/v1/chat/completions', { model: 'm' })).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(openai.choices[0]?.message.content).toBe('whole reply');
    const anthropic = (await (
      await post('/v1/messages', { model: 'm', messages: [{ role: 'user', content: 'ping' }] })
    ).json()) as { content: { text: string }[] };
    expect(anthropic.content[0]?.text).toBe('Echo: ping');
  });

  it('sends each provider its own error JSON and retry-after', async () => {
    fake.enqueue({ kind: 'status', status: 429, retryAfter: 2 }, { kind: 'status', status: 401 });
    const openai = await post('/v1/chat/completions', { model: 'm', stream: true }, { authorization: 'Bearer k1' });
    expect(openai.status).toBe(429);
    expect(openai.headers.get('retry-after')).toBe('2');
    expect(await openai.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
    const anthropic = await post('/v1/messages', { model: 'm', stream: true }, { 'x-api-key': 'k2' });
    expect(await anthropic.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: expect.stringContaining('k2') },
    });
  });

  it('records requests and takes scripts from functions', async () => {
    fake.enqueue((req) => ({ kind: 'text', chunks: [`model=${req.body?.model}`] }));
    const text = await (
      await post('/v1/chat/completions?x=1', { model: 'picked', stream: true }, { authorization: 'Bearer abc' })
    ).text();
    expect(text).toContain('model=picked');
    expect(fake.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: expect.objectContaining({ authorization: 'Bearer abc' }),
        body: { model: 'picked', stream: true },
      },
    ]);
    expect(fake.pending()).toBe(0);
  });

  it("serves the model list in the asker's format", async () => {
    fake.models = ['m1'];
    expect(await (await fetch(`${fake.url}/v1/models`)).json()).toMatchObject({
      object: 'list',
      data: [{ id: 'm1', object: 'model' }],
    });
    expect(
      await (await fetch(`${fake.url}/v1/models`, { headers: { 'anthropic-version': 'x' } })).json(),
    ).toMatchObject({ data: [{ id: 'm1', type: 'model' }], has_more: false });
  });

  it('breaks the socket on disconnect and closes fast even with a request hanging', async () => {
    fake.enqueue({ kind: 'disconnect', afterChunks: 1 }, { kind: 'hang' });
    const res = await post('/v1/chat/completions', { model: 'm', stream: true });
    await expect(res.text()).rejects.toThrow();
    const hanging = post('/v1/chat/completions', { model: 'm', stream: true }).catch((e: unknown) => e);
    await expect.poll(() => fake.openResponses()).toBe(1);
    const started = Date.now();
    await fake.close();
    expect(Date.now() - started).toBeLessThan(200);
    expect(await hanging).toBeInstanceOf(Error);
  });
});
