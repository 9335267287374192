/**
 * The usage methods through the contract on a real core: a reply made by the chat engine shows
 * up in the dashboard and the chat's usage, bad ranges are refused as input errors, and CSV export
 * goes through the host's save dialog where there is one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { removeDataDir, startChatCore, type ChatCore } from '../../../tests/helpers/chatCore';
import { startFakeLlm, type FakeLlm } from '../../../tests/helpers/fakeLlm';

let fake: FakeLlm;
let chat: ChatCore;
const saved: { name: string; text: string }[] = [];
let cancelNextSave = false;

beforeAll(async () => {
  fake = await startFakeLlm();
  chat = await startChatCore({
    retention: false,
    saveTextFile: async (name, produce) => {
      if (cancelNextSave) {
        cancelNextSave = false;
        return null;
      }
      saved.push({ name, text: String(await produce()) });
      return { path: `/tmp/${name}` };
    },
  });
  await chat.api.settings.setChat({ autoTitle: false });
});

afterAll(async () => {
  await chat?.close();
  removeDataDir(chat.dataDir);
  await fake?.close();
});

const today = () => new Date().toISOString().slice(0, 10);
const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
/** Yesterday to tomorrow: a reply made now is inside it even across midnight UTC. */
const around = () => ({ fromDay: dayOffset(-1), toDay: dayOffset(1), timeZone: 'UTC' });

async function rejection(promise: Promise<unknown>): Promise<ConfabError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfabError);
  return err as ConfabError;
}

describe('usage through the contract', () => {
  it('counts a reply the chat engine made, in the dashboard and in the chat', async () => {
    const provider = await chat.api.providers.create({
      preset: 'custom',
      name: 'Fake',
      baseUrl: fake.openaiBaseUrl,
      defaultModel: 'gpt-4o-mini',
    });
    const session = await chat.api.sessions.create({ providerId: provider.id, title: 'Counted' });
    fake.enqueue({ kind: 'text', chunks: ['Hello ', 'there'], usage: { input: 1_000_000, output: 100_000 } });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Hi' });
    expect((await chat.done(sent.assistantMessage.id)).status).toBe('complete');

    const usage = await chat.api.usage.session({ sessionId: session.id });
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
    expect(usage).toMatchObject({
      runs: 1,
      succeeded: 1,
      tokensIn: 1_000_000,
      tokensOut: 100_000,
      costUsd: 0.21,
      models: ['gpt-4o-mini'],
    });

    const d = await chat.api.usage.dashboard(around());
    expect(d.totals).toMatchObject({ runs: 1, tokensIn: 1_000_000, costUsd: 0.21 });
    expect(d.topSessions.map((s) => s.title)).toEqual(['Counted']);
    expect(d.latency[0]).toMatchObject({ model: 'gpt-4o-mini', samples: 1, providerName: 'Fake' });
    // The provider by the name given in Settings; the CSV carries both name and id.
    expect(d.byModel).toEqual([expect.objectContaining({ providerId: provider.id, providerName: 'Fake' })]);
    expect(d.byProvider).toEqual([expect.objectContaining({ providerId: provider.id, providerName: 'Fake' })]);
    const { csv } = await chat.api.usage.exportCsv(around());
    expect(csv.split('\r\n')[1]).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2},Fake,${provider.id},gpt-4o-mini,1,1,`));
    expect(d.daily).toHaveLength(3);
    expect(d.hasAnyRuns).toBe(true);
  });

  it('lists failed requests of the last hours', async () => {
    const session = await chat.api.sessions.create({ title: 'Failing' });
    const provider = (await chat.api.providers.list({}))[0]!;
    await chat.api.sessions.update({ id: session.id, providerId: provider.id, model: 'gpt-4o-mini' });
    fake.enqueue({ kind: 'status', status: 500 });
    const sent = await chat.api.chat.send({ sessionId: session.id, content: 'Break' });
    expect((await chat.done(sent.assistantMessage.id)).status).toBe('error');
    const failed = await chat.api.usage.failedRuns({ hours: 1 });
    expect(failed[0]).toMatchObject({
      sessionId: session.id,
      messageId: sent.assistantMessage.id,
      status: 'failed',
      model: 'gpt-4o-mini',
    });
  });

  it('refuses a backwards or too long range, and an unknown zone, as input errors', async () => {
    expect(
      (await rejection(chat.api.usage.dashboard({ fromDay: '2026-02-02', toDay: '2026-02-01', timeZone: 'UTC' }))).code,
    ).toBe('invalid_input');
    expect(
      (await rejection(chat.api.usage.dashboard({ fromDay: '2000-01-01', toDay: '2026-01-01', timeZone: 'UTC' }))).code,
    ).toBe('invalid_input');
    expect(
      (await rejection(chat.api.usage.exportCsv({ fromDay: '2026-02-30', toDay: '2026-03-01', timeZone: 'UTC' }))).code,
    ).toBe('invalid_input');
    expect(
      (
        await rejection(
          chat.api.usage.dashboard({ fromDay: '2026-01-01', toDay: '2026-01-02', timeZone: 'Atlantis/Capital' }),
        )
      ).code,
    ).toBe('invalid_input');
    expect(
      (
        await rejection(
          chat.api.usage.dashboard({ fromDay: '2026-01-01', toDay: '2026-01-02', timeZone: "UTC'; DROP" }),
        )
      ).code,
    ).toBe('invalid_input');
  });

  it('saves the CSV through the host dialog, and says when the user cancelled', async () => {
    const result = await chat.api.usage.saveCsv(around());
    expect(result).toEqual({ status: 'saved', path: `/tmp/confab-usage-${dayOffset(-1)}-to-${dayOffset(1)}.csv` });
    expect(saved[0]!.text.split('\r\n')[0]).toMatch(/^date,provider,provider_id,model,requests/);
    expect(saved[0]!.text).toContain(',gpt-4o-mini,');
    cancelNextSave = true;
    expect(await chat.api.usage.saveCsv({ fromDay: today(), toDay: today(), timeZone: 'UTC' })).toEqual({
      status: 'cancelled',
    });
  });

  it('keeps budgets and retention settings, and refuses nonsense', async () => {
    expect(await chat.api.usage.getSettings({})).toEqual({
      monthlyTokenBudget: null,
      monthlyCostBudgetUsd: null,
      logRetentionDays: 30,
      runDetailRetentionDays: null,
      autoArchiveDays: null,
    });
    expect(await chat.api.usage.setSettings({ monthlyTokenBudget: 1000, autoArchiveDays: 90 })).toMatchObject({
      monthlyTokenBudget: 1000,
      autoArchiveDays: 90,
    });
    expect((await rejection(chat.api.usage.setSettings({ logRetentionDays: 0 }))).code).toBe('invalid_input');
    expect((await rejection(chat.api.usage.setSettings({ logRetentionDays: null } as never))).code).toBe(
      'invalid_input',
    );
    const d = await chat.api.usage.dashboard(around());
    expect(d.budget).toMatchObject({ tokenBudget: 1000, level: 'exceeded' });
  });
});

describe('usage without a save dialog (web host)', () => {
  it("answers 'unavailable' so the page downloads the CSV instead", async () => {
    const web = await startChatCore({ retention: false });
    try {
      expect(await web.api.usage.saveCsv({ fromDay: today(), toDay: today(), timeZone: 'UTC' })).toEqual({
        status: 'unavailable',
      });
      const { filename, csv } = await web.api.usage.exportCsv({ fromDay: today(), toDay: today(), timeZone: 'UTC' });
      expect(filename).toBe(`confab-usage-${today()}-to-${today()}.csv`);
      expect(csv).toBe(
        'date,provider,provider_id,model,requests,succeeded,failed,cancelled,interrupted,input_tokens,output_tokens,estimated_cost_usd\r\n',
      );
    } finally {
      await web.close();
      removeDataDir(web.dataDir);
    }
  });
});
