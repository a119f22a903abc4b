import { CACHE_PREFIX } from "./cache-keys.js";

/** Longest pattern an operator may give: cache keys are far shorter. */
export const MAX_KEY_PATTERN_LENGTH = 512;

const GLOB_SPECIAL = /[*?[\]\\]/;

/** Where an operator who wants everything gone is sent instead. */
const USE_FLUSH = "to drop every entry use flush (DELETE /api/v1/cache/flush, or `pnpm secapi cache flush`)";

/**
 * Why a Redis glob may not be used for a pattern delete (`DELETE /api/v1/cache/keys`, `secapi cache delete`), or
 * undefined if it may. A pattern delete is bounded to one key type: it names the prefix and the type literally
 * (`secapi:result:dependencies:*`, `secapi:user:<id>:*`); `*` alone, anything outside the prefix and the cache's
 * own bookkeeping are refused, and wholesale deletion is left to flush.
 *
 * @example
 * keyPatternProblem("secapi:scan:*"); // undefined
 * keyPatternProblem("*"); // 'pattern must start with "secapi:" …; to drop every entry use flush …'
 */
export function keyPatternProblem(pattern: string, prefix: string = CACHE_PREFIX): string | undefined {
  if (pattern.length === 0) return "pattern is required, e.g. secapi:result:dependencies:*";
  if (pattern.length > MAX_KEY_PATTERN_LENGTH) return `pattern is longer than ${MAX_KEY_PATTERN_LENGTH} characters`;
  if (!pattern.startsWith(`${prefix}:`)) return `pattern must start with "${prefix}:" (the cache prefix); ${USE_FLUSH}`;
  const rest = pattern.slice(prefix.length + 1);
  const keyType = rest.split(":", 1)[0] ?? "";
  if (keyType === "" || GLOB_SPECIAL.test(keyType)) {
    return `pattern must name a key type literally after "${prefix}:" (result, scan, user, auth), e.g. ${prefix}:user:<id>:*; ${USE_FLUSH}`;
  }
  if (keyType === "__cache") return `"${prefix}:__cache:" is the cache's own bookkeeping (tag sets, locks), never deleted by pattern`;
  return undefined;
}
