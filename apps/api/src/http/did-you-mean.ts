/** Inputs longer than this are not compared (nobody mistypes a 100-character name by two letters). */
const MAX_COMPARED = 64;

/**
 * The candidate the client most likely meant by `input`: the same but for case, or a small edit away (one
 * edit for up to 4 characters, two beyond; an adjacent swap counts as one). Undefined when none is close.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  if (input.length > MAX_COMPARED) return undefined;
  const wanted = input.toLowerCase();
  const sameButCase = candidates.find((candidate) => candidate.toLowerCase() === wanted);
  if (sameButCase !== undefined) return sameButCase;
  const allowed = wanted.length <= 2 ? 0 : wanted.length <= 4 ? 1 : 2;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    const row = d[i] as number[];
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.length, b.length);
}
