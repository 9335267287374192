/**
 * Migration 0010 (tool servers, permissions per chat, the new tool_executions columns) on every
 * engine its SQL must run on, PostgreSQL 15 included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { appendMessage } from '../../src/main/db/messages/repository';
import { createSession } from '../../src/main/db/sessions/repository';
import { sql } from '../../src/main/db/sql';
import {
  addServer,
  allowAlways,
  executionsFor,
  interruptUnfinishedExecutions,
  setForSession,
  startExecution,
  toolsForSession,
  updateExecution,
} from '../../src/main/db/tools/repository';
import { openTestDb } from '../helpers/engines';
import { openMigratedServerDb, testServers } from '../helpers/servers';

const engines = [
  { name: 'PGlite', open: () => openTestDb('pglite') },
  ...(await testServers()).map((server) => ({ ...server, open: () => openMigratedServerDb(server.url) })),
];

describe.each(engines)('migration 0010 on $name', (engine) => {
  let db: Db;
  let ownerId: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, ownerId, close } = await engine.open());
  });
  afterAll(async () => {
    await close?.();
  });

  it('keeps servers, per-chat permissions and the record of calls, and refuses bad rows', async () => {
    const ctx = { db, ownerId };
    const server = await addServer(ctx, {
      name: 'Files',
      transport: 'stdio',
      command: 'node',
      args: ['server.js'],
      url: null,
      envCiphertext: new Uint8Array([1, 2, 3]),
    });
    expect(server).toMatchObject({ enabled: true, args: ['server.js'] });
    expect(Buffer.from(server.envCiphertext!)).toEqual(Buffer.from([1, 2, 3]));
    await expect(
      db.query(sql`INSERT INTO mcp_servers (id, name, transport) VALUES (${uuidv7()}, 'x', 'stdio')`),
    ).rejects.toMatchObject({ code: '23514' });

    const session = await createSession(ctx, { title: 'Tools' });
    expect((await toolsForSession(ctx, session.id))[0]).toMatchObject({ enabled: false, alwaysAllow: [] });
    await setForSession(ctx, { sessionId: session.id, serverId: server.id, enabled: true });
    await allowAlways(ctx, { sessionId: session.id, serverId: server.id, toolName: 'read' });
    await allowAlways(ctx, { sessionId: session.id, serverId: server.id, toolName: 'read' });
    expect((await toolsForSession(ctx, session.id))[0]).toMatchObject({ enabled: true, alwaysAllow: ['read'] });

    const message = await appendMessage(ctx, { sessionId: session.id, role: 'assistant', content: '' });
    const base = {
      sessionId: session.id,
      messageId: message.id,
      runId: null,
      callId: 'c1',
      serverName: 'Files',
      toolName: 'read',
    };
    const a = await startExecution(ctx, { ...base, id: uuidv7(), input: { path: 'a' }, status: 'pending' });
    await updateExecution(ctx, { id: a.id, status: 'denied', output: 'no' });
    const b = await startExecution(ctx, { ...base, id: uuidv7(), input: {}, status: 'running' });
    expect(await interruptUnfinishedExecutions(ctx)).toBe(1);
    const listed = await executionsFor(ctx, [message.id]);
    expect(listed.map((x) => [x.id, x.status, x.output])).toEqual([
      [a.id, 'denied', 'no'],
      [b.id, 'interrupted', null],
    ]);
    await expect(db.query(sql`UPDATE tool_executions SET status = 'bogus' WHERE id = ${a.id}`)).rejects.toMatchObject({
      code: '23514',
    });
    // Removing a server drops its permissions; the record of calls stays.
    await db.query(sql`DELETE FROM mcp_servers WHERE id = ${server.id}`);
    expect(await toolsForSession(ctx, session.id)).toEqual([]);
    expect(await executionsFor(ctx, [message.id])).toHaveLength(2);
  });
});
