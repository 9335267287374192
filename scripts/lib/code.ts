/**
 * Fenced code blocks in several languages, built from templates and identifiers, so that search
 * meets what real assistant answers contain: identifiers with underscores and dots, SQL
 * keywords, punctuation-heavy lines.
 */
import type { Rng } from './prng';

const IDENTS = [
  'user', 'session', 'message', 'order', 'invoice', 'event', 'item', 'account', 'record', 'token', 'cache',
  'config', 'result', 'payload', 'batch', 'queue', 'worker', 'request', 'response', 'entry',
];
const TABLES = ['users', 'orders', 'messages', 'events', 'invoices', 'sessions', 'accounts', 'payments', 'audit_log'];
const COLUMNS = ['id', 'created_at', 'updated_at', 'status', 'owner_id', 'amount', 'email', 'title', 'user_id', 'total'];
const TYPES = ['User', 'Session', 'Message', 'Order', 'Config', 'Result', 'Payload', 'Batch'];
const ERRORS = ['not found', 'timed out', 'invalid input', 'connection refused', 'permission denied'];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

type Template = (rng: Rng) => string;

const TEMPLATES: Record<string, Template[]> = {
  ts: [
    (r) => {
      const a = r.pick(IDENTS);
      const t = r.pick(TYPES);
      return `export async function load${cap(a)}(id: string): Promise<${t} | null> {
  const rows = await db.query<${t}>(sql\`SELECT * FROM ${r.pick(TABLES)} WHERE id = \${id}\`);
  if (rows.length === 0) return null;
  return rows[0] ?? null;
}`;
    },
    (r) => {
      const a = r.pick(IDENTS);
      return `const [${a}, set${cap(a)}] = useState<${r.pick(TYPES)} | null>(null);
useEffect(() => {
  let cancelled = false;
  fetch${cap(a)}().then((value) => {
    if (!cancelled) set${cap(a)}(value);
  });
  return () => {
    cancelled = true;
  };
}, [${r.pick(IDENTS)}Id]);`;
    },
    (r) => `interface ${r.pick(TYPES)}Options {
  ${r.pick(IDENTS)}Id: string;
  limit?: number;
  retries: number; // default ${r.int(1, 5)}
}`,
  ],
  python: [
    (r) => {
      const a = r.pick(IDENTS);
      return `def process_${a}s(${a}s: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ${a} in ${a}s:
        key = ${a}.get("${r.pick(COLUMNS)}", "unknown")
        counts[key] = counts.get(key, 0) + 1
    return counts`;
    },
    (r) => `import pandas as pd

df = pd.read_csv("${r.pick(TABLES)}.csv", parse_dates=["${r.pick(COLUMNS)}"])
summary = df.groupby("${r.pick(COLUMNS)}").agg(total=("${r.pick(COLUMNS)}", "sum"))
print(summary.head(${r.int(5, 20)}))`,
  ],
  sql: [
    (r) => {
      const t = r.pick(TABLES);
      const c = r.pick(COLUMNS);
      return `SELECT ${c}, count(*) AS n
  FROM ${t}
 WHERE created_at > now() - interval '${r.int(1, 90)} days'
 GROUP BY ${c}
 ORDER BY n DESC
 LIMIT ${r.int(10, 100)};`;
    },
    (r) => {
      const t = r.pick(TABLES);
      const c = r.pick(COLUMNS);
      return `CREATE INDEX CONCURRENTLY ${t}_${c}_idx ON ${t} (${c});
EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM ${t} WHERE ${c} = $1;`;
    },
    (r) => `BEGIN;
UPDATE ${r.pick(TABLES)} SET status = 'archived' WHERE updated_at < now() - interval '1 year';
DELETE FROM ${r.pick(TABLES)} WHERE deleted_at IS NOT NULL;
COMMIT;`,
  ],
  bash: [
    (r) => `pg_dump --format=custom --file=${r.pick(TABLES)}.dump "$DATABASE_URL"
pg_restore --clean --if-exists -d confab ${r.pick(TABLES)}.dump`,
    (r) => `docker compose logs -f --tail=${r.int(50, 500)} ${r.pick(IDENTS)}-service | grep -i error`,
    () => `git fetch origin && git rebase origin/main
npm ci && npm test`,
  ],
  rust: [
    (r) => {
      const t = r.pick(TYPES);
      return `#[derive(Debug, Clone)]
pub struct ${t} {
    pub id: Uuid,
    pub ${r.pick(COLUMNS)}: String,
}

impl ${t} {
    pub fn is_valid(&self) -> bool {
        !self.id.is_nil()
    }
}`;
    },
  ],
  go: [
    (r) => {
      const a = r.pick(IDENTS);
      return `func Get${cap(a)}(ctx context.Context, db *sql.DB, id string) (*${r.pick(TYPES)}, error) {
	row := db.QueryRowContext(ctx, "SELECT id FROM ${r.pick(TABLES)} WHERE id = $1", id)
	var out ${r.pick(TYPES)}
	if err := row.Scan(&out.ID); err != nil {
		return nil, fmt.Errorf("${r.pick(ERRORS)}: %w", err)
	}
	return &out, nil
}`;
    },
  ],
};

const LANGUAGE_WEIGHTS: (readonly [string, number])[] = [
  ['ts', 30],
  ['python', 20],
  ['sql', 25],
  ['bash', 12],
  ['rust', 6],
  ['go', 7],
];

export function codeBlock(rng: Rng, preferred?: string): string {
  const lang = preferred && TEMPLATES[preferred] ? preferred : rng.weighted(LANGUAGE_WEIGHTS);
  const templates = TEMPLATES[lang] ?? [];
  return `\`\`\`${lang}\n${rng.pick(templates)(rng)}\n\`\`\``;
}

/** A pasted log, for the very long messages users paste in. */
export function logLines(rng: Rng, count: number, startMs: number): string {
  const lines: string[] = [];
  let t = startMs;
  for (let i = 0; i < count; i++) {
    t += rng.int(1, 900);
    const level = rng.weighted([['INFO', 80], ['WARN', 12], ['ERROR', 6], ['DEBUG', 20]] as const);
    lines.push(
      `${new Date(t).toISOString()} ${level} [${rng.pick(IDENTS)}-worker-${rng.int(1, 8)}] ${rng.pick(TABLES)}: ` +
        (level === 'ERROR' ? `${rng.pick(ERRORS)} after ${rng.int(5, 30000)} ms` : `processed ${rng.int(1, 5000)} rows in ${rng.int(1, 900)} ms`),
    );
  }
  return lines.join('\n');
}
