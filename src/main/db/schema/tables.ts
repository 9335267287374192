/**
 * The table registry: every table of the schema, declared once, with what it is for. Backup,
 * export, import, the sync outbox and the team server's grants read this, so "what syncs" and
 * "what is backed up" are one decision written here (DESIGN.md section 10). A test keeps it
 * equal to the database's catalogue: a table that is added without a line here fails it.
 *
 * - scope: 'synced' (the user's data, copied to a team server), 'local' (this device only:
 *   settings, secrets, UI state, logs) or 'derived' (rebuilt from other tables, never copied);
 * - key: the primary key's columns;
 * - tombstone: the column that marks a row deleted (restore and sync keep deleted rows as rows);
 * - merge: how two copies of a row combine: 'lww-columns' (last writer wins per column, by HLC),
 *   'append-only' (rows are written once; only status and deletion change), 'tag-set' (a tag is
 *   on while its add HLC is newer than its remove HLC), or 'none'. The SQL side of this, which the
 *   merge itself reads, is confab_sync_spec() in migrations/0008; a test keeps the two equal;
 * - derived: columns each side computes for itself (counters, search vectors): never exported as
 *   truth, never merged, never in the outbox.
 */
export type TableScope = 'synced' | 'local' | 'derived';
export type MergePolicy = 'lww-columns' | 'append-only' | 'tag-set' | 'none';

export interface TableSpec {
  name: string;
  scope: TableScope;
  key: readonly string[];
  tombstone: string | null;
  merge: MergePolicy;
  derived: readonly string[];
  /** Columns that must never leave the device in clear text (exported as ciphertext only). */
  secret?: readonly string[];
  /** Why the table has this scope, for the reader of an export manifest or a server admin. */
  note: string;
}

export const TABLES = [
  {
    name: 'users',
    scope: 'synced',
    key: ['id'],
    tombstone: 'deleted_at',
    merge: 'lww-columns',
    derived: ['is_local'],
    note: 'The local user, replaced by the server identity on first connect.',
  },
  {
    name: 'chat_sessions',
    scope: 'synced',
    key: ['id'],
    tombstone: 'deleted_at',
    merge: 'lww-columns',
    derived: [
      'message_count',
      'tokens_in',
      'tokens_out',
      'last_message_at',
      'last_activity_at',
      'pinned',
      'status',
      'tags',
      'current_leaf_id',
    ],
    note: "Chats; counters are kept by triggers on messages; pinned, status, tags and the branch shown are this device user's view of session_user_state and session_tags.",
  },
  {
    name: 'session_user_state',
    scope: 'synced',
    key: ['session_id', 'owner_id'],
    tombstone: 'deleted_at',
    merge: 'lww-columns',
    derived: [],
    note: "One user's pin, archive and chosen branch of a chat: visible to that user only.",
  },
  {
    name: 'session_tags',
    scope: 'synced',
    key: ['session_id', 'owner_id', 'tag'],
    tombstone: 'deleted_at',
    merge: 'tag-set',
    derived: [],
    note: "One user's tags of a chat, one row per tag with add and remove HLCs.",
  },
  {
    name: 'messages',
    scope: 'synced',
    key: ['id'],
    tombstone: 'deleted_at',
    merge: 'append-only',
    derived: ['depth', 'search_tsv'],
    note: 'A tree per chat; only status and deletion change after a reply is final.',
  },
  {
    name: 'generation_runs',
    scope: 'synced',
    key: ['id'],
    tombstone: 'deleted_at',
    merge: 'append-only',
    derived: [],
    note: 'One row per model call: usage charts and costs.',
  },
  {
    name: 'tool_executions',
    scope: 'synced',
    key: ['id'],
    tombstone: 'deleted_at',
    merge: 'append-only',
    derived: [],
    note: 'Tool calls made while answering a message.',
  },
  {
    name: 'attachments',
    scope: 'synced',
    key: ['id'],
    tombstone: 'deleted_at',
    merge: 'append-only',
    derived: ['search_tsv'],
    note: 'Files on messages; the bytes live once per SHA-256 in the data folder (blobs/), not in the table.',
  },
  {
    name: 'mcp_servers',
    scope: 'local',
    key: ['id'],
    tombstone: null,
    merge: 'none',
    derived: [],
    secret: ['env_ciphertext'],
    note: 'MCP tool servers: a command runs a program on this machine; its environment is sealed like API keys.',
  },
  {
    name: 'tool_permissions',
    scope: 'local',
    key: ['session_id', 'server_id'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: "Which of this device's tool servers a chat may use, and the tools it allowed always.",
  },
  {
    name: 'app_logs',
    scope: 'local',
    key: ['id'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: "This device's job and database logs.",
  },
  {
    name: 'settings',
    scope: 'local',
    key: ['key'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: "This device's settings (defaults, budgets, retention).",
  },
  {
    name: 'secrets',
    scope: 'local',
    key: ['name'],
    tombstone: null,
    merge: 'none',
    derived: [],
    secret: ['ciphertext'],
    note: 'API keys sealed by the host (safeStorage or the key file); re-entered on another machine.',
  },
  {
    name: 'ui_state',
    scope: 'local',
    key: ['key'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: 'Open tabs, theme and other view state of this device.',
  },
  {
    name: 'provider_configs',
    scope: 'local',
    key: ['id'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: 'Providers: a localhost address means a different server on every device.',
  },
  {
    name: 'model_prices',
    scope: 'local',
    key: ['model'],
    tombstone: null,
    merge: 'none',
    derived: ['model_key'],
    note: "This user's price estimates on this device.",
  },
  {
    name: 'usage_rollup_daily',
    scope: 'derived',
    key: ['owner_id', 'day', 'provider_id', 'model'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: 'Rebuilt from generation_runs.',
  },
  {
    name: 'usage_rollup_quarter',
    scope: 'derived',
    key: ['owner_id', 'bucket'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: 'Rebuilt from generation_runs.',
  },
  {
    name: 'usage_rollup_session',
    scope: 'derived',
    key: ['owner_id', 'day', 'session_id'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: 'Rebuilt from generation_runs.',
  },
  {
    name: 'sync_outbox',
    scope: 'local',
    key: ['tbl', 'pk'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: 'Keys of rows changed here since the last push to the team server.',
  },
  {
    name: 'sync_pending',
    scope: 'local',
    key: ['mutation_no'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: 'Numbered mutations sent (or about to be) and not yet acknowledged by the team server.',
  },
  {
    name: 'sync_state',
    scope: 'local',
    key: ['only_row'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: "This device's team sync cursor, server identity and mutation count.",
  },
  {
    name: 'sync_link',
    scope: 'local',
    key: ['only_row'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: 'The team server this device syncs with, as shown (its sealed connection string is in secrets).',
  },
  {
    name: 'sync_rejected',
    scope: 'local',
    key: ['mutation_no'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: "Changes the team server refused, with its reason, until the user takes the server's version.",
  },
  {
    name: 'sync_parked',
    scope: 'local',
    key: ['tbl', 'pk'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: 'Pulled rows with columns this app version does not know yet, applied again after its upgrade.',
  },
  {
    name: 'confab_migrations',
    scope: 'local',
    key: ['version'],
    tombstone: null,
    merge: 'none',
    derived: [],
    note: 'Which migrations this database has, with their checksums.',
  },
] as const satisfies readonly TableSpec[];

export type TableName = (typeof TABLES)[number]['name'];

export function tableSpec(name: string): TableSpec | undefined {
  return (TABLES as readonly TableSpec[]).find((t) => t.name === name);
}

export const tablesInScope = (scope: TableScope): TableSpec[] =>
  (TABLES as readonly TableSpec[]).filter((t) => t.scope === scope);
