/**
 * English vocabulary for the synthetic corpus: a few hundred real words grouped by topic, with
 * real inflections, so that stemming ("syncing" finds "synced") and common-versus-rare word
 * queries behave as they would on a real chat history. Lists are ordered roughly by how often the
 * word should occur: the generator picks with a Zipf bias towards the front.
 */

export interface Verb {
  base: string;
  s: string;
  ing: string;
  ed: string;
}

export interface Topic {
  name: string;
  nouns: string[];
  /** Proper names: technologies, places, dishes, artists. */
  names: string[];
  verbs: Verb[];
  adjectives: string[];
  tags: string[];
}

/** "base" or "base|s|ing|ed" for irregular forms. */
function verbs(spec: string): Verb[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((word) => {
      const parts = word.split('|');
      if (parts.length === 4) return { base: parts[0]!, s: parts[1]!, ing: parts[2]!, ed: parts[3]! };
      return inflect(word);
    });
}

function inflect(base: string): Verb {
  const s = /(s|sh|ch|x|z)$/.test(base) ? `${base}es` : /[^aeiou]y$/.test(base) ? `${base.slice(0, -1)}ies` : `${base}s`;
  let stem = base;
  if (base.endsWith('e') && !base.endsWith('ee')) stem = base.slice(0, -1);
  const ing = `${stem}ing`;
  const ed = /[^aeiou]y$/.test(base) ? `${base.slice(0, -1)}ied` : base.endsWith('e') ? `${base}d` : `${base}ed`;
  return { base, s, ing, ed };
}

const words = (spec: string) => spec.trim().split(/\s*,\s*/);

export const GENERAL_NOUNS = words(`
  data, problem, way, time, example, step, question, result, issue, idea, answer, reason, option, approach,
  detail, setting, change, version, feature, plan, list, part, case, user, team, project, file, value,
  number, system, process, difference, week, morning, evening, limit, default, note, summary, rule, error,
  message, source, request, update, start, end, draft, goal, budget, choice`);

export const GENERAL_VERBS = verbs(`
  use make|makes|making|made get|gets|getting|got need try work find|finds|finding|found check change keep|keeps|keeping|kept
  start stop|stops|stopping|stopped run|runs|running|ran help explain show improve avoid handle fix add remove
  set|sets|setting|set compare choose|chooses|choosing|chose suggest update replace split|splits|splitting|split
  measure move`);

export const GENERAL_ADJECTIVES = words(`
  simple, fast, slow, large, small, new, old, better, common, important, easy, hard, safe, different,
  similar, reliable, expensive, cheap, quick, careful, obvious, strange, good, bad, useful, long, short,
  clean, broken, stable`);

export const ADVERBS = words(`
  usually, often, probably, really, actually, instead, always, sometimes, quickly, carefully, later,
  already, still, again, mostly, slowly, rarely, eventually`);

export const TIME_WORDS = words('day, week, month, morning, night, release, sprint, weekend, year, hour');

export const TOPICS: Topic[] = [
  {
    name: 'programming',
    nouns: words(`function, test, type, module, component, bug, variable, interface, compiler, dependency,
      package, build, commit, branch, callback, promise, loop, array, string, object, class, refactor,
      stack trace, pull request, merge conflict, linter, closure, generic, hook, state`),
    names: words('TypeScript, React, Node.js, Python, Rust, Go, Electron, Vite, ESLint, Git, webpack, Deno, Zig, Kotlin'),
    verbs: verbs(`compile test debug|debugs|debugging|debugged import export render parse build|builds|building|built install upgrade merge
      commit|commits|committing|committed rebase refactor lint bundle type-check`),
    adjectives: words('typed, async, generic, pure, flaky, circular, unused, nested, recursive, immutable'),
    tags: words('code, bug, typescript, react, review'),
  },
  {
    name: 'databases',
    nouns: words(`database, query, index, table, row, column, transaction, schema, migration, replica,
      connection pool, constraint, trigger, view, partition, backup, snapshot, planner, join, cursor,
      sequence, lock, deadlock, replication lag, vacuum, tsvector, write-ahead log, primary key, foreign key,
      execution plan`),
    names: words('PostgreSQL, SQLite, MySQL, Redis, PGlite, pgvector, pg_trgm, Supabase, ClickHouse, MongoDB, DuckDB, Postgres'),
    verbs: verbs(`query index migrate replicate vacuum analyze sync archive restore partition join insert delete
      lock normalize denormalize shard`),
    adjectives: words('indexed, transactional, normalized, stale, concurrent, replicated, sequential, partial, unique, durable'),
    tags: words('sql, postgres, database, performance, schema'),
  },
  {
    name: 'devops',
    nouns: words(`server, container, cluster, pipeline, deployment, log, metric, alert, dashboard, certificate,
      load balancer, proxy, firewall, node, pod, volume, latency, outage, incident, rollback, secret, cron job`),
    names: words('Docker, Kubernetes, Terraform, nginx, GitHub Actions, Prometheus, Grafana, AWS, Hetzner, systemd, Caddy'),
    verbs: verbs('deploy provision scale monitor restart configure rotate roll-back|rolls-back|rolling-back|rolled-back cache route'),
    adjectives: words('healthy, degraded, redundant, ephemeral, idle, overloaded, misconfigured, regional'),
    tags: words('ops, infra, incident, deploy'),
  },
  {
    name: 'travel',
    nouns: words(`trip, flight, train, hotel, ticket, itinerary, museum, beach, mountain, passport, visa, airport,
      luggage, neighborhood, restaurant, ferry, hike, guide, train station, hostel, market, viewpoint`),
    names: words('Lisbon, Kyoto, Tokyo, Barcelona, Reykjavik, Istanbul, Marrakech, Patagonia, Vancouver, Hanoi, Prague, Oaxaca, Naples, Tbilisi'),
    verbs: verbs('book visit travel explore pack fly|flies|flying|flew hike reserve cancel rent wander'),
    adjectives: words('scenic, crowded, affordable, remote, walkable, overnight, coastal, historic, rainy, sunny'),
    tags: words('travel, trip, personal, vacation'),
  },
  {
    name: 'cooking',
    nouns: words(`recipe, dough, oven, sauce, garlic, onion, butter, flour, pan, knife, soup, bread, pasta, rice,
      spice, salt, lemon, chicken, tofu, broth, marinade, dessert, sourdough starter, cast iron, crust`),
    names: words('risotto, ramen, paella, curry, focaccia, shakshuka, lasagna, dumplings, tagine, pho, carbonara, kimchi'),
    verbs: verbs('bake roast simmer chop|chops|chopping|chopped knead season fry|fries|frying|fried boil whisk marinate taste'),
    adjectives: words('crispy, creamy, spicy, tender, fluffy, savory, sour, golden, fresh, rich'),
    tags: words('recipes, cooking, food, personal'),
  },
  {
    name: 'music',
    nouns: words('guitar, piano, chord, melody, rhythm, scale, song, album, lyrics, drum, band, concert, tempo, harmony, riff, playlist'),
    names: words('Bach, Coltrane, Radiohead, Björk, jazz, blues, techno, Ableton, Chopin, bossa nova'),
    verbs: verbs('play practice record mix compose tune strum|strums|strumming|strummed improvise transpose'),
    adjectives: words('minor, major, syncopated, acoustic, melodic, upbeat, mellow, distorted'),
    tags: words('music, hobby, practice'),
  },
  {
    name: 'fitness',
    nouns: words('workout, marathon, squat, muscle, protein, stretch, injury, knee, heart rate, recovery, sleep, routine, interval, pace'),
    names: words('Strava, Garmin, yoga, pilates, CrossFit, Couch to 5K'),
    verbs: verbs('train stretch lift recover jog|jogs|jogging|jogged swim|swims|swimming|swam cycle rest warm'),
    adjectives: words('sore, aerobic, strong, tired, consistent, intense, gentle'),
    tags: words('health, fitness, running'),
  },
  {
    name: 'finance',
    nouns: words('budget, invoice, tax, expense, salary, savings, mortgage, loan, interest rate, spreadsheet, receipt, pension, portfolio, subscription'),
    names: words('Excel, Google Sheets, YNAB, Stripe, QuickBooks, Vanguard'),
    verbs: verbs('save invest pay|pays|paying|paid spend|spends|spending|spent borrow calculate track refinance reconcile'),
    adjectives: words('monthly, annual, fixed, variable, deductible, overdue, recurring'),
    tags: words('money, finance, taxes, work'),
  },
  {
    name: 'writing',
    nouns: words('essay, paragraph, draft, chapter, sentence, outline, argument, story, character, editor, deadline, headline, newsletter, tone'),
    names: words('Markdown, Substack, Scrivener, Notion, Obsidian, LaTeX'),
    verbs: verbs('write|writes|writing|wrote edit rewrite|rewrites|rewriting|rewrote summarize outline publish proofread|proofreads|proofreading|proofread translate shorten'),
    adjectives: words('concise, persuasive, formal, casual, vivid, wordy, clear'),
    tags: words('writing, draft, ideas, blog'),
  },
  {
    name: 'gardening',
    nouns: words('tomato, seedling, soil, compost, pot, balcony, basil, watering, fertilizer, pest, greenhouse, pruning'),
    names: words('permaculture, hydroponics, Monstera, raised bed'),
    verbs: verbs('plant water prune repot|repots|repotting|repotted fertilize harvest sow|sows|sowing|sowed mulch'),
    adjectives: words('leggy, overwatered, shady, organic, wilted, perennial'),
    tags: words('garden, plants, personal'),
  },
];

export const PROVIDERS: { provider: string; models: string[]; weight: number; ttftMs: [number, number]; msPerToken: [number, number] }[] = [
  { provider: 'openai', models: ['gpt-4.1', 'gpt-4.1-mini', 'o4-mini', 'gpt-4o'], weight: 40, ttftMs: [250, 2500], msPerToken: [8, 25] },
  { provider: 'anthropic', models: ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'], weight: 35, ttftMs: [300, 2200], msPerToken: [10, 30] },
  { provider: 'google', models: ['gemini-2.5-pro', 'gemini-2.5-flash'], weight: 15, ttftMs: [300, 3000], msPerToken: [6, 20] },
  { provider: 'ollama', models: ['llama3.1:8b', 'qwen2.5:14b', 'mistral-nemo:12b'], weight: 10, ttftMs: [150, 1500], msPerToken: [20, 60] },
];

export const RUN_ERRORS: { code: string; message: string; weight: number }[] = [
  { code: 'rate_limited', message: 'The provider is rate limiting requests. Try again in a minute.', weight: 35 },
  { code: 'provider_error', message: 'The provider returned an error (HTTP 500).', weight: 20 },
  { code: 'network', message: 'Could not reach the provider. Check your connection.', weight: 20 },
  { code: 'context_length_exceeded', message: 'This chat is longer than the model can read.', weight: 10 },
  { code: 'overloaded', message: 'The model is overloaded right now.', weight: 10 },
  { code: 'auth', message: 'The API key was rejected.', weight: 5 },
];
