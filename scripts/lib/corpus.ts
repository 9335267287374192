/**
 * The synthetic corpus: a plan (sessions, their sizes, times and languages, where the rare words
 * and the very long messages go) and a generator that turns it into the rows `insertCorpus`
 * takes, session by session. Everything is a pure function of the options, so the bench can load
 * exactly the same rows into PGlite and into native PostgreSQL.
 */
import type { CorpusBatch, CorpusMessage, CorpusRun, CorpusSession } from '../../src/main/db/maintenance/bulk';
import { seededUuidv7 } from './ids';
import { LANGUAGE_WEIGHTS, type LanguageCode } from './foreign';
import { Rng } from './prng';
import { generateSession } from './session-tree';
import { PROVIDERS, TOPICS, type Topic } from './words';

export interface CorpusOptions {
  seed: number;
  sessions: number;
  messages: number;
  /** Messages in the one big session (the bench pages through it). */
  bigSession: number;
  /** The corpus ends here; usage spreads over the `days` before it. */
  nowMs: number;
  days: number;
  /** Rare words and very long messages; off for filler such as the bench's extra insert. */
  specials: boolean;
}

export const DAY_MS = 86_400_000;

export function defaultCorpusOptions(partial: Partial<CorpusOptions> = {}): CorpusOptions {
  // Whole days, so that runs on the same day give the same corpus.
  const nowMs = partial.nowMs ?? Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const options = { seed: 1, sessions: 2000, messages: 100_000, bigSession: 10_000, days: 90, specials: true, ...partial, nowMs };
  if (options.sessions < 1 || options.messages < 2 * options.sessions) {
    throw new Error(`Need at least two messages per session (got ${options.messages} for ${options.sessions} sessions).`);
  }
  // The big session may take at most half the corpus, and the others need two messages each.
  options.bigSession = Math.max(2, Math.min(options.bigSession, Math.floor(options.messages / 2), options.messages - 2 * (options.sessions - 1)));
  return options;
}

export type Special = { kind: 'rare'; word: string } | { kind: 'long'; chars: number };

export interface SessionPlan {
  index: number;
  id: string;
  createdMs: number;
  /** Latest time a message may have. */
  endMs: number;
  size: number;
  /** Global index of this session's first message (specials are placed by global index). */
  firstMessage: number;
  language: LanguageCode;
  topic: Topic;
  status: 'active' | 'archived';
  pinned: boolean;
  tags: string[];
  provider: string;
  model: string;
  big: boolean;
}

export interface CorpusPlan {
  options: CorpusOptions;
  sessions: SessionPlan[];
  bigSessionId: string;
  specials: Map<number, Special>;
}

/** Rare words with how many messages contain each: the bench's rare-term queries. */
export const RARE_WORDS: Record<string, number> = { xylophonist: 1, quokka: 3, zeugma: 5 };

function sessionSizes(rng: Rng, count: number, total: number): number[] {
  // Log-normal weights: most chats are short, a few run to hundreds of messages.
  const weights = Array.from({ length: count }, () => Math.exp(1.1 * rng.normal()));
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = total - 2 * count;
  const sizes = weights.map((w) => 2 + Math.floor((w / sum) * spare));
  let left = total - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % count, left--) sizes[i] = (sizes[i] ?? 0) + 1;
  return sizes;
}

export function planCorpus(options: CorpusOptions): CorpusPlan {
  const rng = new Rng(options.seed, 0);
  const idRng = new Rng(options.seed, 1);
  const span = options.days * DAY_MS;
  const startMs = options.nowMs - span;
  const others = sessionSizes(rng, options.sessions - 1, options.messages - options.bigSession);
  const drafts = others.map((size) => ({ size, createdMs: options.nowMs - 3_600_000 - Math.floor(rng.next() ** 1.6 * (span - 3 * 3_600_000)), big: false }));
  drafts.push({ size: options.bigSession, createdMs: startMs + 3_600_000, big: true });
  drafts.sort((a, b) => a.createdMs - b.createdMs);

  const sessions: SessionPlan[] = [];
  let firstMessage = 0;
  for (const [index, draft] of drafts.entries()) {
    const foreign = !draft.big && rng.chance(0.16);
    const topic = draft.big ? (TOPICS.find((t) => t.name === 'databases') ?? TOPICS[0]!) : rng.zipf(TOPICS, 0.7);
    const provider = rng.weighted(PROVIDERS.map((p) => [p, p.weight] as const));
    const archived = !draft.big && rng.chance(0.12);
    const tagCount = rng.weighted([[0, 45], [1, 35], [2, 15], [3, 5]] as const);
    const tags = new Set<string>();
    for (let i = 0; i < tagCount; i++) tags.add(rng.chance(0.75) ? rng.pick(topic.tags) : rng.pick(['work', 'personal', 'ideas', 'later', 'important']));
    sessions.push({
      index,
      id: seededUuidv7(draft.createdMs, idRng),
      createdMs: draft.createdMs,
      endMs: options.nowMs - 60_000,
      size: draft.size,
      firstMessage,
      language: foreign ? rng.weighted(LANGUAGE_WEIGHTS) : 'en',
      topic,
      status: archived ? 'archived' : 'active',
      pinned: draft.big || (!archived && rng.chance(0.04)),
      tags: [...tags].sort(),
      provider: provider.provider,
      model: rng.zipf(provider.models, 1),
      big: draft.big,
    });
    firstMessage += draft.size;
  }
  const big = sessions.find((s) => s.big)!;
  return { options, sessions, bigSessionId: big.id, specials: options.specials ? placeSpecials(rng, options, big) : new Map() };
}

/** Rare words and very long messages go outside the big session, so its pages stay typical. */
function placeSpecials(rng: Rng, options: CorpusOptions, big: SessionPlan): Map<number, Special> {
  const specials = new Map<number, Special>();
  const place = (special: Special) => {
    for (;;) {
      const at = rng.int(0, options.messages - 1);
      const inBig = at >= big.firstMessage && at < big.firstMessage + big.size;
      if (!inBig && !specials.has(at)) {
        specials.set(at, special);
        return;
      }
    }
  };
  for (const [word, count] of Object.entries(RARE_WORDS)) for (let i = 0; i < count; i++) place({ kind: 'rare', word });
  place({ kind: 'long', chars: 1_000_000 });
  const longCount = Math.max(3, Math.round(options.messages / 15_000));
  for (let i = 0; i < longCount; i++) place({ kind: 'long', chars: Math.round(40_000 + (160_000 * (i + 1)) / longCount) });
  return specials;
}

export interface SessionRows {
  session: CorpusSession;
  messages: CorpusMessage[];
  runs: CorpusRun[];
}

export function* generateSessions(plan: CorpusPlan): Generator<SessionRows> {
  for (const session of plan.sessions) yield generateSession(plan, session);
}

/**
 * Groups whole sessions into batches of at least `batchSize` messages. A session never spans two
 * batches: its current_leaf_id and its messages' parents must exist when the batch commits.
 */
export function* batchCorpus(rows: Iterable<SessionRows>, batchSize: number): Generator<Required<CorpusBatch>> {
  let batch: Required<CorpusBatch> = { sessions: [], messages: [], runs: [] };
  for (const r of rows) {
    batch.sessions.push(r.session);
    batch.messages.push(...r.messages);
    batch.runs.push(...r.runs);
    if (batch.messages.length >= batchSize) {
      yield batch;
      batch = { sessions: [], messages: [], runs: [] };
    }
  }
  if (batch.sessions.length > 0) yield batch;
}
