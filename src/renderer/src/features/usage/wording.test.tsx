/** Usage wording (issue 11 #15): "1 request", and no "Estimated no price". */
import '../../test/setup';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { BudgetStatus, UsageTopSession } from '@shared/types';
import { BudgetCard } from './BudgetCard';
import { formatRequests } from './format';
import { TopSessions } from './TopSessions';

const topSession = (fields: Partial<UsageTopSession>): UsageTopSession => ({
  sessionId: '0190a0b0-0000-7000-8000-00000000000a',
  title: 'One question',
  inTrash: false,
  runs: 1,
  tokensIn: 10,
  tokensOut: 20,
  costUsd: 0.5,
  unpricedTokens: 0,
  ...fields,
});

const budget = (fields: Partial<BudgetStatus>): BudgetStatus => ({
  monthStart: '2026-11-01',
  monthEnd: '2026-12-01',
  tokensUsed: 1200,
  costUsedUsd: null,
  unpricedTokens: 1200,
  tokenBudget: null,
  costBudgetUsd: null,
  tokenShare: null,
  costShare: null,
  level: 'ok',
  ...fields,
});

describe('usage wording', () => {
  it('counts requests in the singular and the plural', () => {
    expect(formatRequests(0)).toBe('0 requests');
    expect(formatRequests(1)).toBe('1 request');
    expect(formatRequests(1204)).toBe('1,204 requests');
    render(<TopSessions sessions={[topSession({ runs: 1 })]} onOpenSession={() => {}} />);
    expect(screen.getByText(/tokens ·/).textContent).toBe('30 tokens · 1 request · $0.50');
  });

  it('says there is no estimate when no model used has a price', () => {
    const { container, rerender } = render(<BudgetCard budget={budget({})} />);
    expect(container.textContent).not.toContain('Estimated no price');
    expect(container.textContent).toContain('No cost estimate: the models used have no price.');

    rerender(<BudgetCard budget={budget({ costUsedUsd: 3.5, unpricedTokens: 5000 })} />);
    expect(container.textContent).toContain('Estimated $3.50 (+ 5K tokens with no price)');
  });
});
