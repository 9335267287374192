import type { Message } from '@shared/types';

type Stats = Pick<Message, 'tokensIn' | 'tokensOut' | 'tokensEstimated' | 'latencyMs'>;

const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** "412 tokens · 1.8 s" under a reply; "~" marks counts Confab estimated because the provider gave none. */
export function formatReplyStats(m: Stats): string | null {
  const parts: string[] = [];
  if (m.tokensOut !== null) parts.push(`${m.tokensEstimated ? '~' : ''}${count(m.tokensOut)} tokens`);
  if (m.latencyMs !== null) parts.push(seconds(m.latencyMs));
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** The longer explanation for a tooltip and screen readers. */
export function describeReplyStats(m: Stats): string | null {
  const parts: string[] = [];
  if (m.tokensOut !== null) {
    const tokens =
      m.tokensIn !== null
        ? `${count(m.tokensIn)} tokens in, ${count(m.tokensOut)} out`
        : `${count(m.tokensOut)} tokens out`;
    parts.push(m.tokensEstimated ? `${tokens} (estimated)` : tokens);
  }
  if (m.latencyMs !== null) parts.push(`first text after ${seconds(m.latencyMs)}`);
  return parts.length > 0 ? parts.join('; ') : null;
}
