/**
 * Editing a tool server (tools.updateServer) on a real core with the project's test MCP server:
 * a server that failed for a wrong argument starts once its arguments are fixed, a new sealed
 * environment reaches the restarted process (and never a view), removing it takes it away, a
 * server that is off stays off, and edits that do not fit the server are refused with a sentence.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import type { McpServer } from '@shared/types';
import { startChatCore, removeDataDir, type ChatCore } from '../../../tests/helpers/chatCore';

const TEST_SERVER = resolve(import.meta.dirname, '../../../tests/helpers/mcpServer.mjs');

let chat: ChatCore;

beforeAll(async () => {
  chat = await startChatCore({});
});

afterAll(async () => {
  await chat?.close();
  removeDataDir(chat.dataDir);
});

/** Waits for the server to reach a state where `ok` holds (state changes come as events). */
async function serverWhen(id: string, ok: (s: McpServer) => boolean, what: string): Promise<McpServer> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const mark = chat.events.length;
    const found = (await chat.api.tools.servers({})).find((s) => s.id === id)!;
    if (ok(found)) return found;
    if (Date.now() > deadline) throw new Error(`server is ${found.status} (${found.error}), not ${what}`);
    await chat.waitFor('tools.serversChanged', (e) => e.serverId === id, 30_000, mark).catch(() => undefined);
  }
}

async function refusal(promise: Promise<unknown>): Promise<ConfabError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  return err as ConfabError;
}

describe('editing a tool server', () => {
  it('fixes a wrong argument: the failed server starts with the new one', async () => {
    const added = await chat.api.tools.addServer({
      name: 'Typo tools',
      transport: 'stdio',
      command: process.execPath,
      args: [`${TEST_SERVER}.missing`],
    });
    await serverWhen(added.id, (s) => s.status === 'failed', 'failed');
    const edited = await chat.api.tools.updateServer({ id: added.id, name: 'Fixed tools', args: [TEST_SERVER] });
    expect(edited).toMatchObject({
      name: 'Fixed tools',
      args: [TEST_SERVER],
      command: process.execPath,
      enabled: true,
    });
    const ready = await serverWhen(added.id, (s) => s.status === 'ready', 'ready');
    expect(ready.tools.map((t) => t.name)).toContain('add');
    expect(ready.stderrTail).toContain('secret set: no');
  });

  it('sets a new sealed environment (the restarted process sees it, no view does) and removes it', async () => {
    const added = await chat.api.tools.addServer({
      name: 'Env tools',
      transport: 'stdio',
      command: process.execPath,
      args: [TEST_SERVER],
    });
    await serverWhen(added.id, (s) => s.status === 'ready', 'ready');
    const wireBefore = chat.wire.length;
    const withEnv = await chat.api.tools.updateServer({ id: added.id, env: { TEST_SECRET: 'rotated-secret-value' } });
    expect(withEnv.hasEnv).toBe(true);
    await serverWhen(
      added.id,
      (s) => s.status === 'ready' && s.stderrTail.includes('secret set: yes'),
      'restarted with the secret',
    );
    expect(
      chat.wire.slice(wireBefore).some((w) => w.kind !== 'request' && w.text.includes('rotated-secret-value')),
    ).toBe(false);

    // Other edits keep the environment.
    await chat.api.tools.updateServer({ id: added.id, name: 'Env tools, renamed' });
    expect((await chat.api.tools.servers({})).find((s) => s.id === added.id)).toMatchObject({
      name: 'Env tools, renamed',
      hasEnv: true,
    });

    const cleared = await chat.api.tools.updateServer({ id: added.id, env: null });
    expect(cleared.hasEnv).toBe(false);
    await serverWhen(
      added.id,
      (s) => s.status === 'ready' && s.stderrTail.includes('secret set: no'),
      'restarted without it',
    );
  });

  it('a server that is off stays off after an edit', async () => {
    const added = await chat.api.tools.addServer({
      name: 'Off tools',
      transport: 'stdio',
      command: process.execPath,
      args: [TEST_SERVER],
    });
    await serverWhen(added.id, (s) => s.status === 'ready', 'ready');
    await chat.api.tools.setServerEnabled({ id: added.id, enabled: false });
    await serverWhen(added.id, (s) => s.status === 'stopped', 'stopped');
    const edited = await chat.api.tools.updateServer({ id: added.id, args: [TEST_SERVER, '--unused'] });
    expect(edited).toMatchObject({ enabled: false, status: 'stopped', args: [TEST_SERVER, '--unused'] });
  });

  it('refuses edits that do not fit the server, changing nothing', async () => {
    const added = await chat.api.tools.addServer({
      name: 'Strict tools',
      transport: 'stdio',
      command: process.execPath,
      args: [TEST_SERVER],
    });
    const url = await refusal(chat.api.tools.updateServer({ id: added.id, url: 'http://127.0.0.1:9/mcp' }));
    expect(url.code).toBe('invalid_input');
    expect(url.message).toBe('This server is a program on this computer: it has a command, not a URL.');
    const empty = await refusal(chat.api.tools.updateServer({ id: added.id, command: '  ' }));
    expect(empty.code).toBe('invalid_input');
    const badEnv = await refusal(chat.api.tools.updateServer({ id: added.id, env: { 'NOT A NAME': 'x' } }));
    expect(badEnv.message).toMatch(/env\.NOT A NAME/);
    const gone = await refusal(chat.api.tools.updateServer({ id: '01900000-0000-7000-8000-000000000000', name: 'x' }));
    expect(gone.code).toBe('not_found');
    expect((await chat.api.tools.servers({})).find((s) => s.id === added.id)).toMatchObject({
      name: 'Strict tools',
      command: process.execPath,
      args: [TEST_SERVER],
      url: null,
    });

    const http = await chat.api.tools.addServer({
      name: 'Remote tools',
      transport: 'http',
      url: 'http://127.0.0.1:9/mcp',
    });
    const command = await refusal(chat.api.tools.updateServer({ id: http.id, command: 'node' }));
    expect(command.message).toBe('This server is reached by its address: it has a URL, not a command.');
    const moved = await chat.api.tools.updateServer({ id: http.id, url: 'http://127.0.0.1:10/mcp' });
    expect(moved.url).toBe('http://127.0.0.1:10/mcp');
  });
});
