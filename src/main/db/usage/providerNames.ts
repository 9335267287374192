/**
 * Names for the provider ids that runs carry. A run names its provider by id (a UUID for one
 * added in Settings); people know it by the name they gave it. A provider deleted since, or an
 * id from before providers had ids ('openai' in an old history), still gets a readable name.
 */
import { sql } from '../sql';
import type { RepoContext } from '../context';

const PRESET_LABELS: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  openrouter: 'OpenRouter',
  ollama: 'Ollama',
  lmstudio: 'LM Studio',
  llamacpp: 'llama.cpp',
};
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type ProviderNamer = (providerId: string) => string;

export async function providerNamer(ctx: RepoContext): Promise<ProviderNamer> {
  const rows = await ctx.db.query<{ id: string; name: string }>(sql`SELECT id::text AS id, name FROM provider_configs`);
  const names = new Map(rows.map((r) => [r.id, r.name]));
  return (providerId) =>
    names.get(providerId) ??
    PRESET_LABELS[providerId] ??
    (UUID_RE.test(providerId) ? `Removed provider (${providerId.slice(0, 8)})` : providerId);
}
