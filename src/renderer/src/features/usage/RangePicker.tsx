import { useState, type FormEvent } from 'react';
import { MAX_USAGE_DAYS } from '@shared/contract';
import { useAppStore } from '../../app/context';
import { rangeDays, type UsagePreset } from './range';

const PRESETS: UsagePreset[] = [7, 30, 90];

/** 7, 30 or 90 days ending today, or any span of days. */
export function RangePicker() {
  const range = useAppStore((s) => s.usageRange);
  const setUsageRange = useAppStore((s) => s.setUsageRange);
  const teamShown = useAppStore((s) => s.usageTeamShown);
  const showTeamUsage = useAppStore((s) => s.showTeamUsage);
  const [custom, setCustom] = useState(range.preset === 'custom');
  const current = rangeDays(range);
  const [fromDay, setFromDay] = useState(current.fromDay);
  const [toDay, setToDay] = useState(current.toDay);
  const days = (Date.parse(toDay) - Date.parse(fromDay)) / 86_400_000 + 1;
  const invalid =
    !fromDay || !toDay || !(days >= 1)
      ? 'Choose a start day on or before the end day.'
      : days > MAX_USAGE_DAYS
        ? `Choose at most ${MAX_USAGE_DAYS} days.`
        : null;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (!invalid) void setUsageRange({ preset: 'custom', fromDay, toDay });
  };

  return (
    <div className="usage-range">
      <div role="group" aria-label="Date range" className="usage-range__presets">
        {PRESETS.map((p) => (
          <button
            key={p}
            type="button"
            className="button"
            aria-pressed={!custom && range.preset === p}
            onClick={() => {
              setCustom(false);
              void setUsageRange({ preset: p });
            }}
          >
            {p} days
          </button>
        ))}
        <button type="button" className="button" aria-pressed={custom} onClick={() => setCustom(true)}>
          Custom
        </button>
      </div>
      {/* Whose usage: this device's own, or every member's of the team (from the team server). */}
      <div role="group" aria-label="Whose usage" className="usage-range__presets">
        <button type="button" className="button" aria-pressed={!teamShown} onClick={() => showTeamUsage(false)}>
          Mine
        </button>
        <button type="button" className="button" aria-pressed={teamShown} onClick={() => showTeamUsage(true)}>
          Team
        </button>
      </div>
      {custom && (
        <form className="usage-range__custom" aria-label="Custom range" onSubmit={apply}>
          <label>
            From <input type="date" value={fromDay} max={toDay} onChange={(e) => setFromDay(e.target.value)} />
          </label>
          <label>
            To <input type="date" value={toDay} min={fromDay} onChange={(e) => setToDay(e.target.value)} />
          </label>
          <button type="submit" className="button button--primary" disabled={invalid !== null}>
            Show
          </button>
          {invalid && <span className="usage-range__error">{invalid}</span>}
        </form>
      )}
    </div>
  );
}
