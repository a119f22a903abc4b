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

// What a data exception (class 22) says about the value, for the conditions a request can cause.
const INVALID_VALUE_REASONS: Record<string, string> = {
  "22021": "contains a NUL byte or text that is not valid UTF-8",
  "22P05": "contains a NUL character (\\u0000), which Postgres cannot store",
  "22P02": "is not valid for its type (an id that is not a UUID, a number that is not a number)",
  "22003": "is out of range",
  "22001": "is too long",
  "22007": "is not a valid date or time",
  "22008": "is a date or time out of range",
};

/**
 * Why Postgres refused a value (SQLSTATE class 22, data exception), in words a client can act on, or undefined
 * for any other error. Such a value fails again however often it is sent: a 400, never a 500 or a retry.
 *
 * @example
 * invalidValueReason(error) // "contains a NUL byte or text that is not valid UTF-8"
 */
export function invalidValueReason(error: unknown): string | undefined {
  const state = sqlState(error);
  if (state === undefined || !state.startsWith("22")) return undefined;
  return INVALID_VALUE_REASONS[state] ?? "is not a value Postgres accepts";
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
