import { useEffect, useState, type FormEvent } from 'react';
import type { UsageSettings } from '@shared/types';
import { useAppStore } from '../../app/context';
import { parseUsageDraft, toDraft, type Draft } from './usageSettingsDraft';
import './usageSettings.css';

/** Monthly budgets and how long Confab keeps logs, run details and active chats. */
export function UsageSettingsSection() {
  const settings = useAppStore((s) => s.usageSettings.data);
  const loadUsageSettings = useAppStore((s) => s.loadUsageSettings);
  useEffect(() => {
    void loadUsageSettings();
  }, [loadUsageSettings]);
  // The form starts from the settings once they are read; edits stay local until saved.
  return settings ? <UsageSettingsForm initial={settings} /> : null;
}

function UsageSettingsForm({ initial }: { initial: UsageSettings }) {
  const saveUsageSettings = useAppStore((s) => s.saveUsageSettings);
  const [draft, setDraft] = useState<Draft>(() => toDraft(initial));
  const [message, setMessage] = useState<{ kind: 'error' | 'ok'; text: string } | null>(null);

  const change = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    setMessage(null);
  };
  const save = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseUsageDraft(draft);
    if ('error' in parsed) {
      setMessage({ kind: 'error', text: parsed.error });
      return;
    }
    if (await saveUsageSettings(parsed.patch)) setMessage({ kind: 'ok', text: 'Saved.' });
  };

  return (
    <section className="settings__section" aria-labelledby="usage-settings-title">
      <h3 id="usage-settings-title">Usage and data retention</h3>
      <form className="usage-settings" aria-label="Usage and data retention" onSubmit={(e) => void save(e)}>
        <label>
          Monthly token budget
          <input
            inputMode="numeric"
            placeholder="No budget"
            value={draft.tokenBudget}
            onChange={(e) => change({ tokenBudget: e.target.value })}
          />
        </label>
        <label>
          Monthly cost budget (US$)
          <input
            inputMode="decimal"
            placeholder="No budget"
            value={draft.costBudget}
            onChange={(e) => change({ costBudget: e.target.value })}
          />
        </label>
        <p className="muted">The Usage view warns at 80% of a budget and again at 100%.</p>
        <label>
          Keep app logs for (days)
          <input inputMode="numeric" value={draft.logDays} onChange={(e) => change({ logDays: e.target.value })} />
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.keepRunDetails}
            onChange={(e) => change({ keepRunDetails: e.target.checked })}
          />
          Keep run details forever
        </label>
        {!draft.keepRunDetails && (
          <label>
            Keep run details for (days)
            <input
              inputMode="numeric"
              value={draft.runDetailDays}
              onChange={(e) => change({ runDetailDays: e.target.value })}
            />
          </label>
        )}
        <p className="muted">
          Run details are error texts and tool inputs and outputs. Token counts stay, so usage charts and costs do not
          change.
        </p>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.autoArchive}
            onChange={(e) => change({ autoArchive: e.target.checked })}
          />
          Archive chats with no activity
        </label>
        {draft.autoArchive && (
          <label>
            Archive after (days without activity)
            <input
              inputMode="numeric"
              value={draft.autoArchiveDays}
              onChange={(e) => change({ autoArchiveDays: e.target.value })}
            />
          </label>
        )}
        <p className="muted">
          Pinned chats are never archived. Cleanup runs at startup and then daily; messages are never deleted.
        </p>
        <div className="usage-settings__actions">
          <button type="submit" className="button button--primary">
            Save usage settings
          </button>
          {message && (
            <span
              role={message.kind === 'error' ? 'alert' : 'status'}
              className={message.kind === 'error' ? 'usage-settings__error' : 'muted'}
            >
              {message.text}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
