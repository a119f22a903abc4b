/** SQLSTATE of a Postgres error, if `error` is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

// Class 22 (data exception: a NUL in text, a value out of range, bad JSON) and 54 (program limit exceeded: an
// index row too large) depend only on the values sent: sending them again fails again.
const PERMANENT_CLASSES = ["22", "54"];

/** Whether Postgres refused the values themselves, so retrying the same statement cannot succeed. */
export function isPermanentDatabaseError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && PERMANENT_CLASSES.includes(state.slice(0, 2));
}
