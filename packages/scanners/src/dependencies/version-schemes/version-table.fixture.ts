// Test support: the checks every version scheme's table of known orderings gets, written once.
import { expect, it } from "vitest";
import type { VersionScheme } from "./version-scheme.js";

/**
 * Each `[lower, higher]` pair is ordered both ways round, each `[a, b]` of `equal` compares 0 with one key,
 * and the tables hold at least `minimum` pairs (a scheme earns trust by the cases it was checked on).
 */
export function itOrdersPairs(scheme: VersionScheme, ordered: [string, string][], equal: [string, string][], minimum = 50): void {
  it.each(ordered)("orders %s below %s", (lower, higher) => {
    expect([lower, higher, Math.sign(scheme.compare(lower, higher))]).toEqual([lower, higher, -1]);
    expect([higher, lower, Math.sign(scheme.compare(higher, lower))]).toEqual([higher, lower, 1]);
  });

  it.each(equal)("holds %s and %s equal, with one key", (a, b) => {
    expect(scheme.compare(a, b)).toBe(0);
    expect(scheme.key(a)).toBe(scheme.key(b));
  });

  it(`has at least ${minimum} pairs`, () => {
    expect(ordered.length + equal.length).toBeGreaterThanOrEqual(minimum);
  });
}

/** Each `[a, b, order]` compares as `order` (-1, 0, 1), the other way round as its opposite, with one key exactly when equal. */
export function itOrdersAsTable(scheme: VersionScheme, table: [a: string, b: string, order: number][]): void {
  it.each(table)("orders %s against %s as %i, and both the other way round", (a, b, order) => {
    expect(scheme.compare(a, b)).toBe(order);
    expect(scheme.compare(b, a)).toBe(-order || 0);
    expect(scheme.key(a) === scheme.key(b)).toBe(order === 0);
  });
}
