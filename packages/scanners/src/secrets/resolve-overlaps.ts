import type { SecretRule } from "./secret-rule.js";

/** A secret one rule found: `start`/`end` are its UTF-16 offsets in the file. */
export interface SecretMatch {
  rule: SecretRule;
  start: number;
  end: number;
  secret: string;
}

/**
 * Keeps one match per secret: where matches overlap, the higher rule specificity wins, then the
 * longer match. Returns the kept matches ordered by offset.
 */
export function keepMostSpecific(matches: readonly SecretMatch[]): SecretMatch[] {
  const ranked = [...matches].sort(
    (a, b) => b.rule.specificity - a.rule.specificity || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const kept: SecretMatch[] = [];
  for (const match of ranked) {
    const at = firstStartingAtOrAfter(kept, match.end);
    // Kept matches do not overlap, so the one just before `at` has the largest end of those
    // starting before `match.end`: it is the only one that can overlap `match`.
    const previous = kept[at - 1];
    if (previous !== undefined && previous.end > match.start) continue;
    kept.splice(at, 0, match);
  }
  return kept;
}

function firstStartingAtOrAfter(sorted: readonly SecretMatch[], offset: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((sorted[mid]?.start ?? offset) < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}
