/**
 * What a cached value built from stored results depends on, so a reader can tell whether it is still an answer
 * without asking Postgres: the advisory revision it was computed (or last verified) at, and the moment it stops
 * being true by itself. A stored result is current while no package it covers had an advisory added, changed or
 * withdrawn after its revision, and `validUntil` has not passed.
 */
export interface ResultCurrency {
  /** null: the value does not depend on advisories (a secrets result, a scan without a result). */
  advisoryRevision: number | null;
  /** ISO 8601: an advisory it matched is withdrawn then. */
  validUntil?: string | undefined;
}

/**
 * Whether a cached value may be served as is. `latestRevision` is the newest advisory revision this process knows
 * of (Infinity when it knows none yet): a value stamped with an older revision must be verified against Postgres
 * first, since one of its packages may be among those that changed. Values cached before stamps existed have no
 * number and are verified too.
 */
export function isCurrent(currency: ResultCurrency, latestRevision: number, now = Date.now()): boolean {
  if (currency.validUntil !== undefined && Date.parse(currency.validUntil) <= now) return false;
  if (currency.advisoryRevision === null) return true;
  return typeof currency.advisoryRevision === "number" && currency.advisoryRevision >= latestRevision;
}

/**
 * The currency of a value read from Postgres at advisory revision `checkedRevision` that shows results: valid
 * until the earliest of `validUntil`.
 */
export function checkedCurrency(
  checkedRevision: string | number,
  validUntil: readonly (Date | string | null | undefined)[] = [],
): ResultCurrency {
  const until = earliest(validUntil);
  return { advisoryRevision: Number(checkedRevision), ...(until !== undefined && { validUntil: until }) };
}

/** The currency of one stored result read at `checkedRevision`: stamped only if it covers packages (`tags`). */
export function currencyOf(
  tags: readonly string[],
  checkedRevision: string | number,
  validUntil: Date | string | null | undefined,
): ResultCurrency {
  const checked = checkedCurrency(checkedRevision, [validUntil]);
  return tags.length > 0 ? checked : { ...checked, advisoryRevision: null };
}

function earliest(times: readonly (Date | string | null | undefined)[]): string | undefined {
  let min: number | undefined;
  for (const time of times) {
    if (time === null || time === undefined) continue;
    const ms = time instanceof Date ? time.getTime() : Date.parse(time);
    if (!Number.isNaN(ms) && (min === undefined || ms < min)) min = ms;
  }
  return min === undefined ? undefined : new Date(min).toISOString();
}
