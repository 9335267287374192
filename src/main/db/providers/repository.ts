/**
 * Provider settings (local only) and their API keys. Keys arrive here already encrypted by the
 * main thread's host cipher: the worker stores and returns ciphertext and never sees a key.
 */
import { ConfabError } from '@shared/errors';
import { uuidv7 } from '@shared/ids';
import { readChatParams } from '@shared/chatParams';
import type { ChatParams, ProviderConfig, ProviderKind, ProviderPresetName } from '@shared/types';
import type { Row } from '../database';
import { toDbJson, toDbText, toIso, toNumberOrNull } from '../rows';
import { sql, sqlJoin, type SqlFragment } from '../sql';
import type { RepoContext } from '../context';

/** What the DB knows; `isLocal` is a property of the preset and address, added by main. */
export type StoredProviderConfig = Omit<ProviderConfig, 'isLocal'>;

export interface CreateProviderInput {
  id?: string;
  kind: ProviderKind;
  preset: ProviderPresetName;
  name: string;
  baseUrl: string;
  defaultModel: string | null;
  models: string[];
  contextBudget: number | null;
  params?: ChatParams;
  enabled?: boolean;
  apiKeyCiphertext?: Uint8Array | null;
}

export interface UpdateProviderInput {
  id: string;
  name?: string;
  baseUrl?: string;
  defaultModel?: string | null;
  models?: string[];
  contextBudget?: number | null;
  /** Merged into the stored params; a null field clears it. */
  params?: Record<string, number | null | undefined>;
  enabled?: boolean;
  /** Omitted: keep the stored key. Null: remove it. */
  apiKeyCiphertext?: Uint8Array | null;
}

export const providerKeyName = (id: string): string => `provider:${id}:api_key`;

const SELECT_CONFIG = sql`
  SELECT p.*, EXISTS (SELECT 1 FROM secrets s WHERE s.name = 'provider:' || p.id::text || ':api_key') AS has_api_key
    FROM provider_configs p`;

function rowToProviderConfig(row: Row): StoredProviderConfig {
  const models = Array.isArray(row.models) ? row.models.filter((m): m is string => typeof m === 'string') : [];
  return {
    id: String(row.id),
    kind: row.kind as ProviderKind,
    preset: row.preset as ProviderPresetName,
    name: String(row.name),
    baseUrl: String(row.base_url),
    defaultModel: row.default_model === null || row.default_model === undefined ? null : String(row.default_model),
    models,
    contextBudget: toNumberOrNull(row.context_budget),
    params: readChatParams(row.params),
    enabled: row.enabled === true,
    hasApiKey: row.has_api_key === true,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

function notFound(id: string): ConfabError {
  return new ConfabError('not_found', 'That provider is no longer set up.', { id });
}

/** Both drivers accept a Buffer; PGlite also a Uint8Array. Structured clone turns Buffers into Uint8Arrays. */
const toBytea = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

async function putKey(ctx: RepoContext, id: string, ciphertext: Uint8Array | null): Promise<void> {
  if (ciphertext === null) {
    await ctx.db.query(sql`DELETE FROM secrets WHERE name = ${providerKeyName(id)}`);
    return;
  }
  await ctx.db.query(sql`
    INSERT INTO secrets (name, ciphertext, updated_at) VALUES (${providerKeyName(id)}, ${toBytea(ciphertext)}, now())
    ON CONFLICT (name) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, updated_at = now()`);
}

export async function listProviderConfigs(ctx: RepoContext): Promise<StoredProviderConfig[]> {
  const rows = await ctx.db.query(sql`${SELECT_CONFIG} ORDER BY p.created_at, p.id`);
  return rows.map(rowToProviderConfig);
}

export async function getProviderConfig(ctx: RepoContext, id: string): Promise<StoredProviderConfig> {
  const rows = await ctx.db.query(sql`${SELECT_CONFIG} WHERE p.id = ${id}`);
  if (!rows[0]) throw notFound(id);
  return rowToProviderConfig(rows[0]);
}

export async function createProviderConfig(ctx: RepoContext, input: CreateProviderInput): Promise<StoredProviderConfig> {
  return ctx.db.transaction(async (db) => {
    const tx = { ...ctx, db };
    const id = input.id ?? uuidv7();
    await db.query(sql`
      INSERT INTO provider_configs (id, kind, preset, name, base_url, default_model, models, context_budget, params, enabled)
      VALUES (${id}, ${input.kind}, ${input.preset}, ${toDbText(input.name)}, ${toDbText(input.baseUrl)},
              ${input.defaultModel === null ? null : toDbText(input.defaultModel)}, ${toDbJson(input.models)}::jsonb,
              ${input.contextBudget}, ${toDbJson(input.params ?? {})}::jsonb, ${input.enabled ?? true})`);
    if (input.apiKeyCiphertext) await putKey(tx, id, input.apiKeyCiphertext);
    return getProviderConfig(tx, id);
  });
}

export async function updateProviderConfig(ctx: RepoContext, input: UpdateProviderInput): Promise<StoredProviderConfig> {
  return ctx.db.transaction(async (db) => {
    const tx = { ...ctx, db };
    const set: SqlFragment[] = [];
    if (input.name !== undefined) set.push(sql`name = ${toDbText(input.name)}`);
    if (input.baseUrl !== undefined) set.push(sql`base_url = ${toDbText(input.baseUrl)}`);
    if (input.defaultModel !== undefined) {
      set.push(sql`default_model = ${input.defaultModel === null ? null : toDbText(input.defaultModel)}`);
    }
    if (input.models !== undefined) set.push(sql`models = ${toDbJson(input.models)}::jsonb`);
    if (input.contextBudget !== undefined) set.push(sql`context_budget = ${input.contextBudget}`);
    if (input.enabled !== undefined) set.push(sql`enabled = ${input.enabled}`);
    if (input.params !== undefined) set.push(sql`params = jsonb_strip_nulls(params || ${toDbJson(input.params)}::jsonb)`);
    // Changing only the key still touches the row, so updated_at tells when the setup last changed.
    if (set.length === 0) set.push(sql`updated_at = now()`);
    const rows = await db.query(sql`UPDATE provider_configs SET ${sqlJoin(set, ', ')} WHERE id = ${input.id} RETURNING id`);
    if (!rows[0]) throw notFound(input.id);
    if (input.apiKeyCiphertext !== undefined) await putKey(tx, input.id, input.apiKeyCiphertext);
    return getProviderConfig(tx, input.id);
  });
}

export async function deleteProviderConfig(ctx: RepoContext, id: string): Promise<boolean> {
  return ctx.db.transaction(async (db) => {
    await db.query(sql`DELETE FROM secrets WHERE name = ${providerKeyName(id)}`);
    const rows = await db.query(sql`DELETE FROM provider_configs WHERE id = ${id} RETURNING id`);
    return rows.length > 0;
  });
}

/** The encrypted key, or null when none is stored. */
export async function getProviderKeyCiphertext(ctx: RepoContext, id: string): Promise<Uint8Array | null> {
  const rows = await ctx.db.query<{ ciphertext: Uint8Array }>(
    sql`SELECT ciphertext FROM secrets WHERE name = ${providerKeyName(id)}`,
  );
  const data = rows[0]?.ciphertext;
  return data ? new Uint8Array(data) : null;
}
