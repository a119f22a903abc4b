// Configuration of every script, from k6's -e / environment (__ENV). Nothing else reads __ENV for these.

/** The API under test, without a trailing slash. */
export const BASE_URL = (__ENV.BASE_URL || "http://127.0.0.1:8000").replace(/\/+$/, "");

/** An admin key (BOOTSTRAP_ADMIN_KEY of the API): setup() creates the run's own users with it. */
export const ADMIN_KEY = __ENV.BOOTSTRAP_ADMIN_KEY || __ENV.ADMIN_KEY || "";

/** Without an admin key, every virtual user uses this one key (which must have the tier the script needs). */
export const API_KEY = __ENV.API_KEY || "";

/** Where handleSummary writes `<script>.json`; relative paths are relative to k6's working directory. */
export const SUMMARY_DIR = (__ENV.SUMMARY_DIR || "load-tests/results").replace(/\/+$/, "");

/**
 * Multiplies every duration of a script's schedule (TIME_SCALE=0.1 turns a 10 min run into 1 min for a trial).
 * A whole-script DURATION override, where a script has one, wins over this.
 */
export const TIME_SCALE = Number(__ENV.TIME_SCALE || 1);

/** Reads a positive number from __ENV, or the default. */
export function envNumber(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** A duration in seconds as k6 writes it ("90s"), scaled by TIME_SCALE (never below one second). */
export function scaled(seconds) {
  return `${Math.max(1, Math.round(seconds * TIME_SCALE))}s`;
}

/** Parses "30s", "5m", "1h30m", "2h" into seconds. */
export function parseDuration(text) {
  const parts = String(text).match(/^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/);
  if (!parts || text === "") throw new Error(`not a duration: "${text}" (use e.g. 30s, 10m, 1h30m)`);
  return Number(parts[1] || 0) * 3600 + Number(parts[2] || 0) * 60 + Number(parts[3] || 0);
}
