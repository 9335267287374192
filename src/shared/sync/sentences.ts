/**
 * One sentence per sync failure code, each naming what to do: main puts it in a SyncError, the
 * views show it for the code they are given. Plain text (the views do not render markdown).
 */
import type { SyncErrorCode } from '../types';

export const SYNC_ERROR_SENTENCES: Readonly<Record<SyncErrorCode, string>> = {
  auth: 'The team server refused the user name or password: check the connection string your admin gave you, or ask for a new one (npm run team -- add-user).',
  unreachable:
    'The team server cannot be reached: check the host and port and your network. Your changes are kept and sent when it is back.',
  tls: "The team server's secure connection failed: its certificate is not trusted here or it does not offer TLS. Ask your admin, or set sslmode in the connection string (verify-full, require or disable).",
  not_initialised: 'This database is not set up as a team server: ask your admin to run npm run team -- init on it.',
  client_too_old: 'The team server needs a newer Confab: update the app. Your changes are kept until then.',
  server_too_old:
    "The team server's schema is older than this app: ask your admin to run npm run team -- init to upgrade it.",
  not_a_member: 'This login is not a member of the team: ask your admin to add you with npm run team -- add-user.',
  invalid_url: 'That is not a PostgreSQL connection string: it looks like postgres://user:password@host/database.',
  other:
    'Syncing with the team server failed: it retries on its own; if this stays, ask your admin to check the server.',
};
