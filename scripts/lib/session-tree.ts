/**
 * One session's rows: alternating user and assistant turns with the branches real chats have
 * (regenerated answers, some of them cancelled midway, and edited user messages as siblings),
 * the session's current leaf at the end of the newest branch, and one generation run per model
 * call, including failed ones that left no message.
 */
import type { CorpusMessage } from '../../src/main/db/maintenance/bulk';
import type { CorpusPlan, SessionPlan, SessionRows } from './corpus';
import { logLines } from './code';
import { foreignTitle, LANGUAGES } from './foreign';
import { seededUuidv7 } from './ids';
import { Rng } from './prng';
import { assistantText, longText, sessionTitle, userText, type Voice } from './text';
import { PROVIDERS, RUN_ERRORS } from './words';

interface Node {
  parent: Node | null;
  depth: number;
  role: 'user' | 'assistant';
  content: string;
  status: 'complete' | 'cancelled';
  at: number;
  provider: string | null;
  model: string | null;
  tokensIn: number | null;
  tokensOut: number | null;
  latencyMs: number | null;
  /** Carries a rare word or is a very long message: never cut short by a cancellation. */
  special: boolean;
  id?: string;
}

interface RunDraft {
  at: number;
  node: Node | null;
  provider: string;
  model: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  tokensIn: number;
  tokensOut: number;
  ttftMs: number | null;
  totalMs: number;
  error: { code: string; message: string } | null;
}

const RARE_SENTENCES: Record<string, string> = {
  xylophonist: 'My neighbour is a xylophonist and practises every evening.',
  quokka: 'We saw a quokka near the ferry on Rottnest Island.',
  zeugma: 'That line is a zeugma, not a typo.',
};

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

export function generateSession(plan: CorpusPlan, sp: SessionPlan): SessionRows {
  const rng = new Rng(plan.options.seed, 1000 + sp.index * 3);
  const idRng = new Rng(plan.options.seed, 1001 + sp.index * 3);
  const voice: Voice = { topic: sp.topic, language: sp.language === 'en' ? undefined : LANGUAGES[sp.language] };
  const providerInfo = PROVIDERS.find((p) => p.provider === sp.provider) ?? PROVIDERS[0]!;
  const nodes: Node[] = [];
  const runs: RunDraft[] = [];
  let at = sp.createdMs + rng.int(1_000, 20_000);

  const add = (role: Node['role'], parent: Node | null, content: string): Node => {
    const special = plan.specials.get(sp.firstMessage + nodes.length);
    if (special?.kind === 'rare') content = `${content} ${RARE_SENTENCES[special.word] ?? special.word}`;
    else if (special?.kind === 'long') {
      content = role === 'user' ? `Here is the full log:\n\n\`\`\`\n${logLines(rng, Math.ceil(special.chars / 88), at)}\n\`\`\`` : longText(rng, voice, special.chars);
    }
    const node: Node = {
      parent,
      depth: parent ? parent.depth + 1 : 0,
      role,
      content,
      status: 'complete',
      at,
      provider: null,
      model: null,
      tokensIn: null,
      tokensOut: null,
      latencyMs: null,
      special: special !== undefined,
    };
    nodes.push(node);
    return node;
  };

  const pickModel = () => {
    if (!rng.chance(0.1)) return { provider: sp.provider, model: sp.model };
    const other = rng.pick(PROVIDERS);
    return { provider: other.provider, model: rng.pick(other.models) };
  };

  const think = () => {
    // Most replies come within minutes; sometimes a chat is picked up again days later.
    const comeBack = rng.chance(sp.big ? 0.02 : 0.03);
    at += comeBack ? rng.int(3_600_000, 3 * 86_400_000) : Math.round(clamp(rng.logNormal(45_000, 1.1), 4_000, 2 * 3_600_000));
  };

  const failedRun = () => {
    const { provider, model } = pickModel();
    const error = rng.weighted(RUN_ERRORS.map((e) => [e, e.weight] as const));
    const totalMs = rng.int(150, 30_000);
    runs.push({ at, node: null, provider, model, status: 'failed', tokensIn: rng.int(50, 4000), tokensOut: 0, ttftMs: null, totalMs, error });
    at += totalMs + rng.int(2_000, 60_000);
  };

  const answer = (user: Node): Node => {
    at += rng.int(200, 1500);
    if (rng.chance(0.03)) failedRun();
    const node = add('assistant', user, assistantText(rng, voice));
    const { provider, model } = pickModel();
    const info = PROVIDERS.find((p) => p.provider === provider) ?? providerInfo;
    const tokensOut = Math.max(1, Math.ceil(node.content.length / 4));
    const tokensIn = Math.min(128_000, 120 + node.depth * 180 + Math.ceil(user.content.length / 4) + rng.int(0, 400));
    const ttftMs = rng.int(info.ttftMs[0], info.ttftMs[1]);
    const totalMs = Math.min(600_000, ttftMs + Math.round(tokensOut * rng.int(info.msPerToken[0], info.msPerToken[1])));
    Object.assign(node, { provider, model, tokensIn, tokensOut, latencyMs: totalMs });
    runs.push({ at, node, provider, model, status: 'succeeded', tokensIn, tokensOut, ttftMs, totalMs, error: null });
    at += totalMs;
    return node;
  };

  /** The user stopped or disliked the answer and asked again: the old one stays as a sibling. */
  const regenerate = (old: Node): Node => {
    const run = runs.findLast((r) => r.node === old);
    if (run && !old.special && rng.chance(0.35)) {
      const cut = Math.max(1, Math.floor(old.content.length * rng.next() * 0.6));
      old.content = old.content.slice(0, cut);
      old.status = 'cancelled';
      old.tokensOut = Math.ceil(cut / 4);
      run.status = 'cancelled';
      run.tokensOut = old.tokensOut;
      run.totalMs = Math.min(run.totalMs, (run.ttftMs ?? 0) + rng.int(500, 8_000));
      old.latencyMs = run.totalMs;
    }
    think();
    return answer(old.parent!);
  };

  let tip: Node | null = null;
  while (nodes.length < sp.size) {
    let user = add('user', tip, userText(rng, voice));
    if (nodes.length + 2 <= sp.size && rng.chance(0.03)) {
      // An edited question: the original keeps its answer on the abandoned branch.
      answer(user);
      think();
      user = add('user', tip, userText(rng, voice));
    }
    tip = user;
    if (nodes.length >= sp.size) break;
    let reply = answer(user);
    if (nodes.length < sp.size && rng.chance(0.05)) reply = regenerate(reply);
    tip = reply;
    think();
  }
  // A chat that ends on a question: its answer failed or was cancelled before a word arrived.
  if (tip?.role === 'user') failedRun();

  fitIntoWindow(sp, nodes, runs);
  return toRows(sp, nodes, runs, tip, idRng, rng);
}

/** Compresses the session's timeline so it ends before `endMs`; the big one also fills its span. */
function fitIntoWindow(sp: SessionPlan, nodes: Node[], runs: RunDraft[]): void {
  const last = Math.max(...nodes.map((n) => n.at), ...runs.map((r) => r.at + r.totalMs));
  const end = sp.big ? sp.endMs - 3_600_000 : Math.min(last, sp.endMs);
  if (last === end || last <= sp.createdMs) return;
  const factor = (end - sp.createdMs) / (last - sp.createdMs);
  const scale = (t: number) => Math.round(sp.createdMs + (t - sp.createdMs) * factor);
  for (const n of nodes) n.at = scale(n.at);
  for (const r of runs) r.at = scale(r.at);
}

function toRows(sp: SessionPlan, nodes: Node[], runs: RunDraft[], tip: Node | null, idRng: Rng, rng: Rng): SessionRows {
  const iso = (ms: number) => new Date(ms).toISOString();
  for (const n of nodes) n.id = seededUuidv7(n.at, idRng);
  const messages: CorpusMessage[] = nodes.map((n) => ({
    id: n.id!,
    session_id: sp.id,
    parent_id: n.parent?.id ?? null,
    depth: n.depth,
    role: n.role,
    content: n.content,
    status: n.status,
    model: n.model,
    provider_id: n.provider,
    tokens_in: n.tokensIn,
    tokens_out: n.tokensOut,
    latency_ms: n.latencyMs,
    created_at: iso(n.at),
  }));
  const runRows = runs.map((r) => ({
    id: seededUuidv7(r.at, idRng),
    session_id: sp.id,
    message_id: r.node?.id ?? null,
    provider_id: r.provider,
    model: r.model,
    status: r.status,
    tokens_in: r.tokensIn,
    tokens_out: r.tokensOut,
    ttft_ms: r.ttftMs,
    total_ms: r.totalMs,
    error_code: r.error?.code ?? null,
    error_message: r.error?.message ?? null,
    started_at: iso(r.at),
    finished_at: iso(r.at + r.totalMs),
  }));
  const lastAt = Math.max(...nodes.map((n) => n.at));
  const title = sp.language === 'en' ? sessionTitle(rng, sp.topic) : foreignTitle(rng, LANGUAGES[sp.language]);
  return {
    session: {
      id: sp.id,
      title: sp.big && sp.size >= 1000 ? 'Postgres replication runbook (long-running)' : title,
      status: sp.status,
      pinned: sp.pinned,
      tags: sp.tags,
      provider_id: sp.provider,
      model: sp.model,
      current_leaf_id: tip?.id ?? null,
      created_at: iso(sp.createdMs),
      last_activity_at: iso(lastAt),
    },
    messages,
    runs: runRows,
  };
}
