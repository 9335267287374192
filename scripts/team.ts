/**
 * The team server's admin command (SYNC.md, "Admin command"):
 *
 *   npm run team -- init <admin-url> [--blob-quota MB] [--team-usage | --private-usage]
 *                                                    apply migrations/ and migrations-server/ (idempotent);
 *                                                    --team-usage lets members see usage per member of
 *                                                    their team (off by default), --private-usage turns it off
 *   npm run team -- add-user <name> [--team T]       create a member's login role; prints their connection string
 *   npm run team -- remove-user <name>               drop the role (their rows stay)
 *   npm run team -- status                           clients, lag, stalls, change-index size (runs the watchdog)
 *   npm run team -- prune [--keep "30 days"]         retention of the change index
 *   npm run team -- set-quota <MB> [--team T]        attached files' bytes a team may keep (default: every team)
 *
 * Every command but init takes the admin URL from --url or CONFAB_TEAM_ADMIN_URL. Works on
 * PostgreSQL 15 and later; connect as a superuser or a role with CREATEROLE that owns the database.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ConfabError } from '../src/shared/errors';
import { addMember, removeMember, serverStatus } from '../src/main/db/sync/admin/members';
import { applyServerMigrations } from '../src/main/db/sync/admin/serverMigrations';
import { setBlobQuota } from '../src/main/db/sync/admin/blobQuota';

const USAGE = `Usage:
  npm run team -- init <admin-url> [--blob-quota MB] [--team-usage | --private-usage]
  npm run team -- add-user <name> [--team T] [--url <admin-url>]
  npm run team -- remove-user <name> [--url <admin-url>]
  npm run team -- status [--url <admin-url>]
  npm run team -- prune [--keep "30 days"] [--url <admin-url>]
  npm run team -- set-quota <MB> [--team T] [--url <admin-url>]
(--url defaults to CONFAB_TEAM_ADMIN_URL)`;

export async function team(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      team: { type: 'string' },
      keep: { type: 'string' },
      'blob-quota': { type: 'string' },
      help: { type: 'boolean' },
      'team-usage': { type: 'boolean' },
      'private-usage': { type: 'boolean' },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    out(USAGE);
    return command ? 0 : 2;
  }
  if (values['team-usage'] && values['private-usage']) {
    out('Choose one of --team-usage and --private-usage.');
    return 2;
  }
  const url = command === 'init' ? arg : (values.url ?? process.env.CONFAB_TEAM_ADMIN_URL);
  if (!url) {
    out(
      command === 'init'
        ? 'init needs the admin URL: npm run team -- init postgres://admin@host/db'
        : 'Give the admin URL with --url or CONFAB_TEAM_ADMIN_URL.',
    );
    return 2;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    switch (command) {
      case 'init': {
        const r = await applyServerMigrations(client);
        // Without either flag the setting stays as it is: re-running init never changes it.
        const teamUsage = values['team-usage'] ? true : values['private-usage'] ? false : null;
        if (teamUsage !== null) await client.query('UPDATE sync.meta SET team_usage = $1', [teamUsage]);
        out(
          r.appApplied.length || r.serverApplied.length
            ? `Team server ready: app schema ${r.appVersion} (applied ${r.appApplied.join(', ') || 'none'}), sync schema ${r.serverVersion} (applied ${r.serverApplied.join(', ') || 'none'}).`
            : `Team server already up to date: app schema ${r.appVersion}, sync schema ${r.serverVersion}.`,
        );
        if (values['blob-quota'] !== undefined) {
          const q = await setBlobQuota(client, { megabytes: Number(values['blob-quota']) });
          out(`Each team may keep ${q.quotaBytes / 1024 / 1024} MB of attached files (unless set per team).`);
        }
        const { rows } = await client.query<{ on: boolean }>('SELECT team_usage AS on FROM sync.meta');
        out(
          rows[0]?.on
            ? 'Team usage is on: members see tokens, requests and estimated cost per member of their team.'
            : 'Team usage is off: each member sees only their own usage (turn it on with --team-usage).',
        );
        return 0;
      }
      case 'add-user': {
        if (!arg) throw new ConfabError('invalid_input', 'add-user needs a user name.');
        const m = await addMember(client, url, arg, { team: values.team });
        out(`User ${m.role} (team ${m.team}, id ${m.userId}). Their connection string, shown once:`);
        out(m.url);
        return 0;
      }
      case 'remove-user': {
        if (!arg) throw new ConfabError('invalid_input', 'remove-user needs a user name.');
        const r = await removeMember(client, arg);
        out(r.removed ? `Removed ${arg}; their rows stay on the server.` : `There is no user ${arg}.`);
        return r.removed ? 0 : 1;
      }
      case 'status': {
        out(JSON.stringify(await serverStatus(client), null, 2));
        return 0;
      }
      case 'prune': {
        const { rows } = await client.query<{ n: string }>('SELECT sync.prune_changes($1::interval) AS n', [
          values.keep ?? '30 days',
        ]);
        out(`Pruned ${rows[0]?.n ?? 0} change entries.`);
        return 0;
      }
      case 'set-quota': {
        if (arg === undefined || arg.trim() === '')
          throw new ConfabError('invalid_input', 'set-quota needs a number of megabytes.');
        const q = await setBlobQuota(client, { megabytes: Number(arg), team: values.team });
        out(
          q.team === null
            ? `Each team may keep ${q.quotaBytes / 1024 / 1024} MB of attached files (unless set per team).`
            : `Team ${q.team} may keep ${q.quotaBytes / 1024 / 1024} MB of attached files.`,
        );
        return 0;
      }
      default:
        out(USAGE);
        return 2;
    }
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  team(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
