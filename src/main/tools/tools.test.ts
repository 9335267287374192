/**
 * MCP tools end to end: a real core, a real stdio MCP server written for these tests (the
 * official SDK on both sides), and a fake model server that asks for tool calls in the OpenAI and
 * Anthropic formats. Covers the round trip through the generation pipeline with approval, always
 * allowing a tool, denial, a failing tool, a timeout, and a server that crashes.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { McpServer, ProviderConfig, Session, ToolApprovalRequest } from '@shared/types';
import { startChatCore, removeDataDir, type ChatCore } from '../../../tests/helpers/chatCore';
import { startFakeLlm, type FakeLlm } from '../../../tests/helpers/fakeLlm';

const TEST_SERVER = resolve(import.meta.dirname, '../../../tests/helpers/mcpServer.mjs');

let fake: FakeLlm;
let chat: ChatCore;
let openai: ProviderConfig;
let anthropic: ProviderConfig;
let server: McpServer;

async function waitForServer(id: string, status: McpServer['status']): Promise<McpServer> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await chat.api.tools.servers({})).find((s) => s.id === id)!;
    if (found.status === status) return found;
    if (Date.now() > deadline) throw new Error(`server is ${found.status} (${found.error}), not ${status}`);
    await chat
      .waitFor('tools.serversChanged', (e) => e.serverId === id, 30_000, chat.events.length)
      .catch(() => undefined);
  }
}

beforeAll(async () => {
  fake = await startFakeLlm();
  chat = await startChatCore({ chat: { idleTimeoutMs: 10_000 }, toolCallTimeoutMs: 1_500 });
  await chat.api.settings.setChat({ autoTitle: false });
  openai = await chat.api.providers.create({
    preset: 'custom',
    name: 'Fake OpenAI',
    baseUrl: fake.openaiBaseUrl,
    apiKey: 'sk-test-tools-0123456789',
    defaultModel: 'fake-small',
  });
  anthropic = await chat.api.providers.create({
    preset: 'anthropic',
    name: 'Fake Anthropic',
    baseUrl: fake.anthropicBaseUrl,
    apiKey: 'sk-ant-fake-tools-000111',
    defaultModel: 'claude-fake',
  });
  server = await chat.api.tools.addServer({
    name: 'Test tools',
    transport: 'stdio',
    command: process.execPath,
    args: [TEST_SERVER],
    env: { TEST_SECRET: 'sealed-value' },
  });
});

afterAll(async () => {
  await chat?.close();
  removeDataDir(chat.dataDir);
  await fake?.close();
});

async function chatWithTools(providerId: string): Promise<Session> {
  const session = await chat.api.sessions.create({ providerId });
  await chat.api.tools.setForSession({ sessionId: session.id, serverId: server.id, enabled: true });
  return session;
}

const approvalFor = (after: number) => chat.waitFor('tools.approvalRequested', () => true, 30_000, after);

describe('tool servers', () => {
  it('starts a stdio server with its sealed environment and lists its tools', async () => {
    const ready = await waitForServer(server.id, 'ready');
    expect(ready.tools.map((t) => t.name)).toEqual(['add', 'echo', 'fail', 'slow', 'crash']);
    expect(ready.hasEnv).toBe(true);
    expect(ready.stderrTail).toContain('test server ready (secret set: yes)');
    // The environment never goes back to a view (only the request that set it carried it).
    expect(chat.wire.some((w) => w.kind !== 'request' && w.text.includes('sealed-value'))).toBe(false);
  });
});

describe('the tool loop', () => {
  it('runs an OpenAI tool call after approval and sends the result back until the model answers', async () => {
    const session = await chatWithTools(openai.id);
    fake.enqueue(
      {
        kind: 'tool_calls',
        chunks: ['Let me add. '],
        calls: [{ id: 'call_1', name: 'Test_tools__add', arguments: '{"a":2,"b":3}' }],
      },
      { kind: 'text', chunks: ['The sum is 5.'] },
    );
    const mark = chat.events.length;
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'What is 2+3?' });
    const asked: ToolApprovalRequest = await approvalFor(mark);
    expect(asked).toMatchObject({
      toolName: 'add',
      serverName: 'Test tools',
      input: { a: 2, b: 3 },
      messageId: sent.assistantMessage.id,
    });
    expect(await chat.api.tools.pending({})).toHaveLength(1);
    await chat.api.tools.approve({ executionId: asked.executionId, decision: 'allow' });
    await chat.done(sent.assistantMessage.id);
    expect((await chat.message(sent.assistantMessage.id)).content).toBe('Let me add. The sum is 5.');

    const first = fake.requests.at(-2)!.body!;
    expect((first.tools as { function: { name: string } }[]).map((t) => t.function.name)).toContain('Test_tools__add');
    const second = fake.lastRequest()!.body!.messages!;
    expect(second.at(-2)).toMatchObject({
      role: 'assistant',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'Test_tools__add', arguments: '{"a":2,"b":3}' } },
      ],
    });
    expect(second.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_1', content: '5' });
    const [execution] = await chat.api.tools.executions({ messageIds: [sent.assistantMessage.id] });
    expect(execution).toMatchObject({
      toolName: 'add',
      serverName: 'Test tools',
      status: 'succeeded',
      output: '5',
      input: { a: 2, b: 3 },
    });
    expect(execution!.durationMs).toBeGreaterThanOrEqual(0);

    // A later turn still knows what the tool said.
    fake.enqueue({ kind: 'text', chunks: ['Yes.'] });
    const next = await chat.api.chat.send({ sessionId: session.id, content: 'Are you sure?' });
    await chat.done(next.assistantMessage.id);
    const history = fake.lastRequest()!.body!.messages!;
    expect(history.at(-2)).toEqual({
      role: 'assistant',
      content: '[Tool add (Test tools) called with {"a":2,"b":3}: succeeded, output: 5]\n\nLet me add. The sum is 5.',
    });
  });

  it('runs an Anthropic tool_use, and a tool allowed always runs without asking next time', async () => {
    const session = await chatWithTools(anthropic.id);
    fake.enqueue(
      { kind: 'tool_calls', calls: [{ id: 'toolu_1', name: 'Test_tools__echo', arguments: '{"text":"hi"}' }] },
      { kind: 'text', chunks: ['Echoed.'] },
    );
    const mark = chat.events.length;
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Echo hi' });
    const asked = await approvalFor(mark);
    await chat.api.tools.approve({ executionId: asked.executionId, decision: 'always' });
    await chat.done(sent.assistantMessage.id);
    const messages = fake.lastRequest()!.body!.messages!;
    expect(messages.at(-2)).toEqual({
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'Test_tools__echo', input: { text: 'hi' } }],
    });
    expect(messages.at(-1)).toEqual({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'echo: hi', is_error: false }],
    });
    expect((await chat.api.tools.forSession({ sessionId: session.id }))[0]!.alwaysAllow).toEqual(['echo']);

    fake.enqueue(
      { kind: 'tool_calls', calls: [{ id: 'toolu_2', name: 'Test_tools__echo', arguments: '{"text":"again"}' }] },
      { kind: 'text', chunks: ['Done.'] },
    );
    const approvalsBefore = chat.events.filter((e) => e.name === 'tools.approvalRequested').length;
    const again = await chat.api.chat.send({ sessionId: session.id, content: 'Once more' });
    await chat.done(again.assistantMessage.id);
    expect(chat.events.filter((e) => e.name === 'tools.approvalRequested').length).toBe(approvalsBefore);
    const [execution] = await chat.api.tools.executions({ messageIds: [again.assistantMessage.id] });
    expect(execution).toMatchObject({ status: 'succeeded', output: 'echo: again' });
  });

  it('tells the model when the user denies a call, and records it', async () => {
    const session = await chatWithTools(openai.id);
    fake.enqueue(
      { kind: 'tool_calls', calls: [{ id: 'call_d', name: 'Test_tools__add', arguments: '{"a":1,"b":1}' }] },
      { kind: 'text', chunks: ['Fine, I will not.'] },
    );
    const mark = chat.events.length;
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Add' });
    const asked = await approvalFor(mark);
    await chat.api.tools.approve({ executionId: asked.executionId, decision: 'deny' });
    await chat.done(sent.assistantMessage.id);
    expect(fake.lastRequest()!.body!.messages!.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'call_d',
      content: 'The user did not allow this call.',
    });
    const [execution] = await chat.api.tools.executions({ messageIds: [sent.assistantMessage.id] });
    expect(execution).toMatchObject({ status: 'denied', output: 'The user did not allow this call.' });
  });

  it('records a failing tool, a timeout and a crashed server, and restarts the server when next needed', async () => {
    const session = await chatWithTools(openai.id);
    // An answer for a call nobody is waiting on changes nothing.
    expect(
      await chat.api.tools.approve({ executionId: '00000000-0000-7000-8000-000000000000', decision: 'allow' }),
    ).toEqual({ answered: false });
    const runOne = async (name: string, args: string) => {
      fake.enqueue(
        { kind: 'tool_calls', calls: [{ id: `call_${name}`, name: `Test_tools__${name}`, arguments: args }] },
        { kind: 'text', chunks: ['ok'] },
      );
      const mark = chat.events.length;
      const sent = await chat.api.chat.send({ sessionId: session.id, content: `try ${name}` });
      const asked = await approvalFor(mark);
      await chat.api.tools.approve({ executionId: asked.executionId, decision: 'allow' });
      await chat.done(sent.assistantMessage.id);
      return (await chat.api.tools.executions({ messageIds: [sent.assistantMessage.id] }))[0]!;
    };
    expect(await runOne('fail', '{}')).toMatchObject({ status: 'failed', output: 'the tool broke on purpose' });
    expect(await runOne('slow', '{"ms":20000}')).toMatchObject({
      status: 'timeout',
      error: 'The tool did not answer within 2 s.',
    });
    const crashed = await runOne('crash', '{}');
    expect(crashed.status).toBe('failed');
    const failed = await waitForServer(server.id, 'failed');
    expect(failed.stderrTail).toContain('crashing on purpose');
    // The next call starts it again.
    expect(await runOne('add', '{"a":20,"b":22}')).toMatchObject({ status: 'succeeded', output: '42' });
    expect((await waitForServer(server.id, 'ready')).status).toBe('ready');
  });

  it('ends the server process when it is turned off', async () => {
    const off = await chat.api.tools.setServerEnabled({ id: server.id, enabled: false });
    expect(off.status).toBe('stopped');
    const session = await chatWithTools(openai.id);
    fake.enqueue({ kind: 'text', chunks: ['No tools here.'] });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Any tools?' });
    await chat.done(sent.assistantMessage.id);
    expect(fake.lastRequest()!.body!.tools).toBeUndefined();
  });
});
