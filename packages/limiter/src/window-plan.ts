import { type CalendarMonth, calendarMonth } from "./calendar-month.js";
import { InvalidLimitCheckError } from "./errors/invalid-limit-check-error.js";
import type { LimitWindow } from "./limit-window.js";
import { bucketWidthMs } from "./sliding-window.js";
import { subjectKey, windowField } from "./window-key.js";

/**
 * One window of a check, resolved for a moment: its subject's Redis key, its field there (which also names
 * the window's usage in the fallback) and the numbers the script needs.
 */
export type WindowPlan =
  | { window: LimitWindow; key: string; field: string; kind: "sliding"; limit: number; windowMs: number; bucketMs: number }
  | { window: LimitWindow; key: string; field: string; kind: "calendar-month"; limit: number; month: CalendarMonth };

const WINDOW_NAME = /^[a-z0-9-]+$/;

/**
 * Window lists already validated. Only frozen lists of frozen windows are remembered (nothing can change them
 * afterwards): callers that build their windows once, as SecAPI does, pay for validation once, not per check.
 */
const validWindowLists = new WeakSet<readonly LimitWindow[]>();

/** Rejects what would break the key layout or the script's arithmetic. */
export function assertValidCheck(subject: string, windows: readonly LimitWindow[], cost: number): void {
  if (typeof subject !== "string" || subject.length === 0 || /[{}]/.test(subject)) {
    throw new InvalidLimitCheckError(`subject must be a non-empty string without braces, got ${JSON.stringify(subject)}`);
  }
  if (!Number.isSafeInteger(cost)) throw new InvalidLimitCheckError(`cost must be an integer, got ${cost}`);
  if (validWindowLists.has(windows)) return;
  assertValidWindows(windows);
  if (Object.isFrozen(windows) && windows.every((window) => Object.isFrozen(window))) validWindowLists.add(windows);
}

function assertValidWindows(windows: readonly LimitWindow[]): void {
  if (!Array.isArray(windows) || windows.length === 0) throw new InvalidLimitCheckError("a check needs at least one window");
  const names = new Set<string>();
  for (const window of windows) {
    if (!WINDOW_NAME.test(window.name))
      throw new InvalidLimitCheckError(`window name must match [a-z0-9-]+, got ${JSON.stringify(window.name)}`);
    if (names.has(window.name)) throw new InvalidLimitCheckError(`window "${window.name}" appears twice`);
    names.add(window.name);
    if (!Number.isSafeInteger(window.limit) || window.limit < 0) {
      throw new InvalidLimitCheckError(`window "${window.name}": limit must be an integer ≥ 0, got ${window.limit}`);
    }
    if (window.kind === "sliding") {
      const seconds = window.windowSeconds;
      if (seconds === undefined || !Number.isSafeInteger(seconds) || seconds < 1) {
        throw new InvalidLimitCheckError(`window "${window.name}": windowSeconds must be an integer ≥ 1, got ${seconds}`);
      }
    } else if (window.kind !== "calendar-month") {
      throw new InvalidLimitCheckError(`window "${window.name}": unknown kind ${JSON.stringify(window.kind)}`);
    }
  }
}

/** Resolves every window of a check at `nowMs`. */
export function planWindows(prefix: string, subject: string, windows: readonly LimitWindow[], nowMs: number): WindowPlan[] {
  const month = calendarMonth(nowMs);
  const key = subjectKey(prefix, subject);
  return windows.map((window) => {
    const field = windowField(window, nowMs);
    if (window.kind === "sliding") {
      const windowSeconds = window.windowSeconds ?? 0;
      return {
        window,
        key,
        field,
        kind: "sliding",
        limit: window.limit,
        windowMs: windowSeconds * 1000,
        bucketMs: bucketWidthMs(windowSeconds),
      };
    }
    return { window, key, field, kind: "calendar-month", limit: window.limit, month };
  });
}
