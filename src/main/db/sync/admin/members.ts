/**
 * `team add-user` / `remove-user`: one login role per person, a member of confab_member, with a
 * row in sync.users that gives it a user id and a team. Row-level security judges every read and
 * write by that role (session_user), never by anything the client can SET.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { ConfabError } from '@shared/errors';
import { uuidv7 } from '@shared/ids';
import { serverMemory } from './serverMemory';

const ROLE_RE = /^[a-z_][a-z0-9_]{0,62}$/;
const TEAM_RE = /^[A-Za-z0-9_. -]{1,100}$/;

export interface NewMember {
  role: string;
  /** The member's user id as made here; the member's first device may replace it with its own (0021). */
  userId: string;
  team: string;
  /** The member's connection string: the admin URL with this role and its new password. */
  url: string;
}

function checkRole(name: string): string {
  if (!ROLE_RE.test(name)) {
    throw new ConfabError(
      'invalid_input',
      'A user name must start with a letter or underscore and use only lower-case letters, digits and underscores (at most 63).',
      { name },
    );
  }
  if (name.startsWith('pg_') || name.startsWith('confab_')) {
    throw new ConfabError('invalid_input', `"${name}" is reserved; choose another user name.`, { name });
  }
  return name;
}

/** Connections one member's login may hold at once, all their devices together. */
export const MEMBER_CONNECTION_LIMIT = 32;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

export async function addMember(
  client: pg.ClientBase,
  adminUrl: string,
  name: string,
  options: { team?: string; displayName?: string; claimable?: boolean } = {},
): Promise<NewMember> {
  const role = checkRole(name);
  const team = options.team ?? 'default';
  if (!TEAM_RE.test(team))
    throw new ConfabError(
      'invalid_input',
      'A team name is 1 to 100 letters, digits, spaces, dots, dashes or underscores.',
    );
  const password = randomBytes(24).toString('base64url');
  const existing = await client.query<{ user_id: string }>('SELECT user_id FROM sync.users WHERE role_name = $1', [
    role,
  ]);
  const userId = existing.rows[0]?.user_id ?? uuidv7();
  await client.query('BEGIN');
  try {
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    // Identifiers and the password cannot be bind parameters in role DDL: both are checked above
    // (the name by pattern, the password is base64url) and quoted.
    // A bounded number of connections: a device holds one to three (rounds, LISTEN, files), and
    // one member's login must not be able to take every connection the server has.
    const roleOptions = `LOGIN INHERIT CONNECTION LIMIT ${MEMBER_CONNECTION_LIMIT} PASSWORD ${quoteLiteral(password)}`;
    if (exists.rowCount === 0) {
      await client.query(`CREATE ROLE ${quoteIdent(role)} ${roleOptions}`);
    } else {
      // Adding an existing user again issues a new password (the old connection string stops working).
      await client.query(`ALTER ROLE ${quoteIdent(role)} ${roleOptions}`);
    }
    await client.query(`GRANT confab_member TO ${quoteIdent(role)}`);
    // A new member's first device may keep its own user id (server migration 0021): only a row
    // made here is claimable, never one that exists (its id may name rows already). A server set
    // up before 0021 has no such column.
    const claimable = (options.claimable ?? true) && (await hasClaimableColumn(client));
    await client.query(
      `INSERT INTO sync.users (role_name, user_id, team_id, display_name${claimable ? ', id_claimable' : ''})
       VALUES ($1, $2, $3, $4${claimable ? ', true' : ''})
       ON CONFLICT (role_name) DO UPDATE SET team_id = EXCLUDED.team_id, display_name = EXCLUDED.display_name`,
      [role, userId, team, options.displayName ?? role],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
  const url = new URL(adminUrl);
  url.username = role;
  url.password = password;
  return { role, userId, team, url: url.toString() };
}

async function hasClaimableColumn(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM information_schema.columns
                     WHERE table_schema = 'sync' AND table_name = 'users' AND column_name = 'id_claimable') AS found`,
  );
  return rows[0]?.found === true;
}

/**
 * Locks the user out, then drops the login role. The user's rows stay: they are the team's
 * history, and an admin may purge them separately.
 *
 * The lock-out (no login, out of confab_member, no sync.users row, connections ended) commits
 * first and on its own: dropping the role can still fail (it owns something in another database
 * of the cluster), and that must not leave a removed user able to log in as a member, as it did
 * when the row went first and DROP ROLE failed after. In this database DROP OWNED clears what the
 * role owns or was granted before the drop.
 */
export async function removeMember(client: pg.ClientBase, name: string): Promise<{ removed: boolean }> {
  const role = checkRole(name);
  const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount !== 0;
  await client.query('BEGIN');
  let gone: number;
  try {
    if (exists) {
      await client.query(`ALTER ROLE ${quoteIdent(role)} NOLOGIN`);
      await client.query(`REVOKE confab_member FROM ${quoteIdent(role)}`);
    }
    gone = (await client.query('DELETE FROM sync.users WHERE role_name = $1', [role])).rowCount ?? 0;
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
  await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
  if (exists) {
    try {
      await client.query(`DROP OWNED BY ${quoteIdent(role)}`);
      await client.query(`DROP ROLE ${quoteIdent(role)}`);
    } catch (err) {
      throw new ConfabError(
        'conflict',
        `"${role}" can no longer log in or sync, but its role could not be dropped: ${(err as Error).message}. Drop what it owns (DROP OWNED BY in each database), then run remove-user again.`,
        { role },
      );
    }
  }
  return { removed: gone > 0 || exists };
}

/** sync.status(), with the server's buffer cache against the database's size (see serverMemory.ts). */
export async function serverStatus(client: pg.ClientBase): Promise<Record<string, unknown>> {
  await client.query('SELECT sync.end_stalled_members()');
  const { rows } = await client.query<{ s: Record<string, unknown> }>('SELECT sync.status() AS s');
  return { ...rows[0]?.s, server_memory: await serverMemory(client) };
}
