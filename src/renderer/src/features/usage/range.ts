/** The dashboard's day ranges, in this machine's time zone. */
export type UsagePreset = 7 | 30 | 90;
export type UsageRangeChoice = { preset: UsagePreset } | { preset: 'custom'; fromDay: string; toDay: string };

export interface DayRange {
  fromDay: string;
  toDay: string;
  timeZone: string;
}

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** 'YYYY-MM-DD' of a Date in this machine's zone (the zone the dashboard buckets by). */
export function localDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The days a choice covers: a preset ends today, local time, and includes it. */
export function rangeDays(choice: UsageRangeChoice, now: Date = new Date(), timeZone = localTimeZone()): DayRange {
  if (choice.preset === 'custom') return { fromDay: choice.fromDay, toDay: choice.toDay, timeZone };
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - (choice.preset - 1));
  return { fromDay: localDay(from), toDay: localDay(now), timeZone };
}
