/** A UTC calendar month: the span a monthly quota covers. */
export interface CalendarMonth {
  /** `YYYY-MM`, part of the counter's key. */
  readonly label: string;
  readonly startMs: number;
  /** First ms of the next month: when the quota resets. */
  readonly endMs: number;
}

/** How long a month counter outlives its month, so a host whose clock lags a little still finds it. */
export const MONTH_COUNTER_GRACE_MS = 3600_000;

let current: CalendarMonth | undefined;

/** The UTC calendar month that contains `nowMs`. */
export function calendarMonth(nowMs: number): CalendarMonth {
  // Every request asks; the answer changes once a month.
  if (current && nowMs >= current.startMs && nowMs < current.endMs) return current;
  current = monthContaining(nowMs);
  return current;
}

function monthContaining(nowMs: number): CalendarMonth {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  return {
    label: `${String(year).padStart(4, "0")}-${String(month + 1).padStart(2, "0")}`,
    startMs: Date.UTC(year, month, 1),
    endMs: Date.UTC(year, month + 1, 1),
  };
}
