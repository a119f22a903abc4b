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

/** Postgres refused the rows themselves (class 22 data exception, 23 integrity constraint violation). */
export function isRowRejectedError(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith("22") || state.startsWith("23"));
}

/** Postgres refused a row because it would duplicate a unique key (23505 unique_violation). */
export function isUniqueViolationError(error: unknown): boolean {
  return sqlState(error) === "23505";
}

/** Postgres refused a scan row because the result it points at does not exist (any more). */
export function isMissingResultError(error: unknown): boolean {
  return sqlState(error) === "23503" && (error as { constraint?: unknown }).constraint === "scans_result_id_fkey";
}

// Connection exceptions (08), the server shutting down or starting (57P01-57P03), no connection slot (53300).
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
// What pg and pg-pool throw when the connection drops or cannot be had; they carry no code.
const UNAVAILABLE_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error",
  "Connection ended unexpectedly",
];

/**
 * Whether Postgres could not be reached or is not accepting work right now (refused, dropped, restarting, out of
 * connections): the request may succeed later, so callers answer 503 or retry rather than fail for good.
 */
export function isDatabaseUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const state = sqlState(error);
  if (state !== undefined) return state.startsWith("08") || UNAVAILABLE_STATES.has(state);
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailableError)) return true;
  return UNAVAILABLE_MESSAGES.some((message) => error.message.includes(message));
}
