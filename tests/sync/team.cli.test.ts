/**
 * `npm run team -- …` as documented in the README, run as a real process against a fresh
 * database on each real PostgreSQL (embedded 18 and the machine's 15).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MEMBER_CONNECTION_LIMIT } from '../../src/main/db/sync/admin/members';
import { createTestDatabase } from '../helpers/postgres';
import { testServers } from '../helpers/servers';
import { SCHEMA_VERSION } from './helpers/team';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

async function teamCommand(args: string[], env: Record<string, string> = {}) {
  const { stdout } = await run('npm', ['run', '--silent', 'team', '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return stdout.trim();
}

describe.each(await testServers())('npm run team on $name', ({ url }) => {
  it('init (twice), add-user, status and remove-user work exactly as documented', async () => {
    const database = await createTestDatabase(url);
    const name = `cli_${Math.random().toString(16).slice(2, 10)}`;
    try {
      expect(await teamCommand(['init', database.url])).toMatch(/^Team server ready: app schema \d+ .*sync schema \d+/);
      expect(await teamCommand(['init', database.url])).toMatch(/^Team server already up to date/);

      const added = await teamCommand(['add-user', name, '--team', 'research'], {
        CONFAB_TEAM_ADMIN_URL: database.url,
      });
      const memberUrl = added.split('\n').at(-1)!;
      expect(added).toContain(`User ${name} (team research`);
      const member = new pg.Client({ connectionString: memberUrl });
      await member.connect();
      const hello = await member.query("SELECT sync.hello('0123456789abcdef', $1, '0'::xid8, 0, NULL, 0) AS h", [
        SCHEMA_VERSION,
      ]);
      expect(hello.rows[0].h).toMatchObject({ status: 'ok', team_id: 'research' });
      await member.end();
      // One member's logins cannot take every connection the server has.
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      const limit = await admin.query('SELECT rolconnlimit FROM pg_roles WHERE rolname = $1', [name]);
      await admin.end();
      expect(limit.rows).toEqual([{ rolconnlimit: MEMBER_CONNECTION_LIMIT }]);

      const status = JSON.parse(await teamCommand(['status', '--url', database.url])) as Record<string, unknown>;
      expect(status).toHaveProperty('change_index');
      expect(status).toHaveProperty('stalls');
      // The buffer cache against the database, as the server itself reports them.
      const sizes = new pg.Client({ connectionString: database.url });
      await sizes.connect();
      const [server] = (
        await sizes.query<{ shared: string; db: string }>(
          "SELECT pg_size_bytes(current_setting('shared_buffers'))::text AS shared, pg_database_size(current_database())::text AS db",
        )
      ).rows;
      await sizes.end();
      const memory = status.server_memory as { shared_buffers_bytes: number; database_bytes: number; advice: unknown };
      expect(memory.shared_buffers_bytes).toBe(Number(server!.shared));
      // The database may grow by a page or two between the two reads (the watchdog writes).
      expect(Math.abs(memory.database_bytes - Number(server!.db))).toBeLessThan(1024 * 1024);
      expect(memory.advice === null).toBe(memory.database_bytes <= memory.shared_buffers_bytes);

      expect(await teamCommand(['remove-user', name, '--url', database.url])).toBe(
        `Removed ${name}; their rows stay on the server.`,
      );
      const gone = new pg.Client({ connectionString: memberUrl });
      const refused = await gone.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).not.toBeNull();
      await gone.end().catch(() => {});
    } finally {
      await database.drop();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${name}`);
      await admin.end();
    }
  });

  it('refuses a user name that is not a plain identifier, with a sentence and no change', async () => {
    const database = await createTestDatabase(url);
    try {
      await teamCommand(['init', database.url]);
      const err = await teamCommand(['add-user', 'Robert"); DROP TABLE users;--', '--url', database.url]).catch(
        (e: { stderr?: string }) => e,
      );
      expect(String((err as { stderr?: string }).stderr)).toContain('A user name must start with a letter');
    } finally {
      await database.drop();
    }
  });
});
