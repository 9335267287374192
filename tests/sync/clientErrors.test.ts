/**
 * What a user is told when connecting to a team server fails, from real failures on every real
 * PostgreSQL the run has: a closed port, an unknown host, an unknown role, a wrong password, a
 * database that is not a team server, a login that is not a member, TLS the server cannot do or
 * this device does not trust, schema versions out of step, and a string that is no URL. Each is
 * a SyncError code (in the error's details) and a sentence that says what to do.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfabError } from '../../src/shared/errors';
import { SyncService } from '../../src/main/sync/service';
import { keyFileCipher } from '../../src/main/secrets/keyFileCipher';
import { startChatCore, type ChatCore } from '../helpers/chatCore';
import { createTestDatabase } from '../helpers/postgres';
import { testServers } from '../helpers/servers';
import { startTeamServer, type Member, type TeamServer } from './helpers/team';

const servers = await testServers();

async function failureOf(promise: Promise<unknown>): Promise<{ code: string; sync: string; message: string }> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the connection test to fail').toBeInstanceOf(ConfabError);
  const e = err as ConfabError;
  return { code: e.code, sync: String((e.details as { sync?: unknown } | undefined)?.sync), message: e.message };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const withCredentials = (url: string, user: string, password: string) => {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
};

let core: ChatCore;
beforeAll(async () => {
  core = await startChatCore();
}, 120_000);
afterAll(async () => {
  await core?.close();
});

describe.each(servers)('connection failures on $name', ({ url: serverUrl }) => {
  let team: TeamServer;
  let member: Member;
  beforeAll(async () => {
    team = await startTeamServer(serverUrl);
    member = await team.addMember('errs');
  }, 120_000);
  afterAll(async () => {
    await team?.close();
  });

  it('works for a member, with the server described and no password in it', async () => {
    const answer = await core.api.sync.test({ url: member.url });
    expect(answer.ok).toBe(true);
    expect(answer.server).toMatchObject({ user: member.role, database: new URL(member.url).pathname.slice(1) });
    expect(JSON.stringify(answer)).not.toContain(new URL(member.url).password);
  });

  it('a closed port is unreachable', async () => {
    const u = new URL(member.url);
    u.port = String(await closedPort());
    const f = await failureOf(core.api.sync.test({ url: u.toString() }));
    expect(f.sync).toBe('unreachable');
    expect(f.message).toMatch(/cannot be reached: check the host and port/);
  });

  it('an unknown host is unreachable', async () => {
    const u = new URL(member.url);
    u.hostname = 'no-such-host.invalid';
    const f = await failureOf(core.api.sync.test({ url: u.toString() }));
    expect(f.sync).toBe('unreachable');
  });

  it('an unknown role is refused as the user name or password', async () => {
    const f = await failureOf(core.api.sync.test({ url: withCredentials(member.url, 'no_such_role_x', 'nope') }));
    expect(f.sync).toBe('auth');
    expect(f.message).toMatch(/refused the user name or password/);
  });

  it('a wrong password is refused where the server checks passwords (and ignored where it trusts)', async () => {
    const wrong = withCredentials(member.url, member.role, 'wrong-password');
    const probe = new pg.Client({ connectionString: wrong });
    const checks = await probe.connect().then(
      () => false,
      (e: { code?: string }) => e.code === '28P01',
    );
    await probe.end().catch(() => undefined);
    if (checks) {
      const f = await failureOf(core.api.sync.test({ url: wrong }));
      expect(f.sync).toBe('auth');
    } else {
      // trust authentication (the machine's PostgreSQL 15): the password plays no part.
      expect((await core.api.sync.test({ url: wrong })).ok).toBe(true);
    }
  });

  it('a database that is not a team server says to run team init', async () => {
    const plain = await createTestDatabase(serverUrl);
    try {
      const f = await failureOf(core.api.sync.test({ url: plain.url }));
      expect(f.sync).toBe('not_initialised');
      expect(f.message).toMatch(/npm run team -- init/);
    } finally {
      await plain.drop();
    }
  });

  it('a login that is not in confab_member is told to ask for add-user', async () => {
    const role = `outsider_${Math.random().toString(16).slice(2, 10)}`;
    await team.admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'outsider-pass'`);
    try {
      const f = await failureOf(core.api.sync.test({ url: withCredentials(team.url, role, 'outsider-pass') }));
      expect(f.sync).toBe('not_a_member');
      expect(f.message).toMatch(/add-user/);
    } finally {
      await team.admin.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });

  it('TLS the server cannot do, or whose certificate is not trusted here, is a TLS failure', async () => {
    const u = new URL(member.url);
    u.searchParams.set('sslmode', 'verify-full');
    const f = await failureOf(core.api.sync.test({ url: u.toString() }));
    expect(f.sync).toBe('tls');
    expect(f.message).toMatch(/sslmode/);
  });

  it('schema versions out of step: this app too new for the server, or too old for it', async () => {
    const service = (schemaVersion: number) =>
      new SyncService({
        db: core.core.db,
        events: { emit: () => undefined },
        cipher: keyFileCipher(core.dataDir),
        schemaVersion,
      });
    const tooNew = await failureOf(service(9999).test(member.url));
    expect(tooNew.sync).toBe('server_too_old');
    expect(tooNew.message).toMatch(/ask your admin/);
    const tooOld = await failureOf(service(1).test(member.url));
    expect(tooOld.sync).toBe('client_too_old');
    expect(tooOld.message).toMatch(/update the app/);
  });
});

it('a string that is no connection string is refused before any network', async () => {
  const f = await failureOf(core.api.sync.test({ url: 'postgres://user@/' }));
  expect(f).toMatchObject({ code: 'invalid_input', sync: 'invalid_url' });
  const bad = await failureOf(core.api.sync.test({ url: 'postgres://u:p@host/db?sslmode=sometimes' }));
  expect(bad.message).toMatch(/sslmode must be one of/);
});
