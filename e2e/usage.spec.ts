/**
 * The Usage dashboard against known runs: what it shows must be exactly what was recorded
 * (totals, cost from the price table with unpriced tokens left out, outcome rates, top chats,
 * failed requests), and its links must open the chat or jump to the failed reply.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { seedChats, withAppDb } from './fixtures/seed';
import { expect, test } from './fixtures/test';

const ARTIFACTS = join(import.meta.dirname, '..', 'e2e-artifacts');
const HOUR = 3_600_000;

test('the dashboard shows the recorded runs, and its links open chats and failed replies', async ({ page, host }) => {
  await host.stop();
  await withAppDb(host.dataDir, async (db) => {
    const [budget, trip] = await seedChats(db, [
      {
        title: 'Budget planning',
        messages: [
          { role: 'user', content: 'Plan my budget' },
          { role: 'assistant', content: 'Here is a plan' },
          { role: 'user', content: 'And for next year?' },
          { role: 'assistant', content: 'The request failed halfway' },
        ],
      },
      {
        title: 'Paris trip',
        messages: [
          { role: 'user', content: 'Three days in Paris' },
          { role: 'assistant', content: 'Day one: the Louvre' },
        ],
      },
    ]);
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR).toISOString();
    const run = (
      sessionId: string,
      messageId: string,
      providerId: string,
      model: string,
      status: 'succeeded' | 'failed' | 'cancelled',
      tokensIn: number,
      tokensOut: number,
      hoursAgo: number,
      error?: string,
    ) =>
      db.call('usage.recordRun', {
        sessionId,
        messageId,
        providerId,
        model,
        status,
        tokensIn,
        tokensOut,
        ttftMs: 300,
        totalMs: 1200,
        errorCode: error ? 'rate_limited' : null,
        errorMessage: error ?? null,
        startedAt: at(hoursAgo),
        finishedAt: at(hoursAgo - 0.01),
      });
    const [, b1, , b2] = budget!.messageIds;
    const [, t1] = trip!.messageIds;
    await run(budget!.sessionId, b1!, 'openai', 'gpt-4o', 'succeeded', 1000, 500, 30);
    await run(budget!.sessionId, b1!, 'openai', 'gpt-4o', 'succeeded', 2000, 1000, 5);
    await run(
      budget!.sessionId,
      b2!,
      'openai',
      'gpt-4o',
      'failed',
      0,
      0,
      2,
      'OpenAI is rate limiting requests (HTTP 429).',
    );
    await run(trip!.sessionId, t1!, 'ollama', 'llama3.2', 'succeeded', 300, 200, 3);
    await run(trip!.sessionId, t1!, 'ollama', 'llama3.2', 'cancelled', 50, 10, 1);
  });
  await host.restart();

  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(host.url);
  await page.getByRole('button', { name: 'Usage' }).click();
  const panel = page.getByRole('tabpanel');
  const card = (label: string) => panel.getByRole('list', { name: 'Summary' }).getByRole('listitem', { name: label });

  // 3,350 in and 1,710 out; gpt-4o at $2.50 / $10 per million: 3,000 × 2.5 + 1,500 × 10 = $0.0225.
  await expect(card('Requests')).toContainText('5');
  await expect(card('Input tokens')).toContainText('3.4K');
  await expect(card('Input tokens').locator('[title]')).toHaveAttribute('title', '3,350');
  await expect(card('Output tokens').locator('[title]')).toHaveAttribute('title', '1,710');
  await expect(card('Estimated cost')).toContainText('$0.02');
  await expect(card('Estimated cost')).toContainText('Not counted: 560 tokens of models with no price.');
  await expect(card('Succeeded')).toContainText('60%');
  await expect(card('Errors')).toContainText('20%');
  await expect(card('Cancelled')).toContainText('20%');

  const byModel = panel.getByRole('table', { name: 'Usage by model' });
  await expect(byModel.getByRole('row').filter({ hasText: 'llama3.2' })).toContainText('no price');
  await expect(byModel.getByRole('row').filter({ hasText: 'gpt-4o' })).toContainText('$0.02');

  const top = panel.getByRole('list', { name: 'Top chats by tokens' }).getByRole('listitem');
  await expect(top).toHaveCount(2);
  await expect(top.first()).toContainText('Budget planning');
  await expect(top.nth(1)).toContainText('Paris trip');

  const failed = panel.getByRole('list', { name: 'Failed requests, last 24 hours' }).getByRole('listitem');
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText('OpenAI is rate limiting requests (HTTP 429).');
  await expect(failed).toContainText('gpt-4o');

  mkdirSync(ARTIFACTS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: join(ARTIFACTS, `confab-usage-${scheme}.png`), fullPage: true });
  }

  // The failed request opens its chat at the reply it was for.
  await failed.getByRole('button').click();
  await expect(page.getByRole('tab', { name: 'Budget planning', selected: true })).toBeVisible();
  await expect(page.locator('[data-highlighted]').getByTestId('message-content')).toHaveText(
    'The request failed halfway',
  );
  // And the top chat opens its tab from the dashboard.
  await page.getByRole('tab', { name: 'Usage' }).click();
  await page
    .getByRole('list', { name: 'Top chats by tokens' })
    .getByRole('button', { name: /Paris trip/ })
    .click();
  await expect(page.getByRole('tab', { name: 'Paris trip', selected: true })).toBeVisible();
});
