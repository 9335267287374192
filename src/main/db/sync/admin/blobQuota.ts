/**
 * `team set-quota`: how many bytes of attached files each team may keep on the server
 * (migrations-server 0006). Without a team, the default for every team without its own figure.
 */
import type pg from 'pg';
import { ConfabError } from '@shared/errors';

const MB = 1024 * 1024;

export interface BlobQuotaSet {
  team: string | null;
  quotaBytes: number;
}

export async function setBlobQuota(
  client: pg.ClientBase,
  input: { megabytes: number; team?: string },
): Promise<BlobQuotaSet> {
  if (!Number.isFinite(input.megabytes) || input.megabytes < 0 || input.megabytes > 1024 * 1024 * 1024) {
    throw new ConfabError(
      'invalid_input',
      'A quota is a number of megabytes, 0 or more (for example --blob-quota 1024).',
    );
  }
  const quotaBytes = Math.round(input.megabytes * MB);
  if (input.team === undefined) {
    await client.query('UPDATE sync.meta SET blob_quota_default_bytes = $1', [quotaBytes]);
    return { team: null, quotaBytes };
  }
  await client.query(
    `INSERT INTO sync.blob_quotas (team_id, quota_bytes) VALUES ($1, $2)
     ON CONFLICT (team_id) DO UPDATE SET quota_bytes = EXCLUDED.quota_bytes`,
    [input.team, quotaBytes],
  );
  return { team: input.team, quotaBytes };
}

export interface TeamBlobStorage {
  team: string;
  usedBytes: number;
  quotaBytes: number;
  blobs: number;
}

export async function blobStorage(client: pg.ClientBase): Promise<TeamBlobStorage[]> {
  const { rows } = await client.query<{ team_id: string; used_bytes: string; quota_bytes: string; blobs: string }>(
    'SELECT team_id, used_bytes, quota_bytes, blobs FROM sync.blob_storage()',
  );
  return rows.map((r) => ({
    team: r.team_id,
    usedBytes: Number(r.used_bytes),
    quotaBytes: Number(r.quota_bytes),
    blobs: Number(r.blobs),
  }));
}
