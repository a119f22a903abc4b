import { describe, expect, it } from "vitest";
import { keepMostSpecific } from "./resolve-overlaps.js";
import type { SecretMatch } from "./resolve-overlaps.js";
import type { SecretRule } from "./secret-rule.js";

function rule(id: string, specificity: number): SecretRule {
  return { id, description: id, severity: "medium", regex: /x/, keywords: ["x"], specificity };
}

function match(r: SecretRule, start: number, end: number): SecretMatch {
  return { rule: r, start, end, secret: "x".repeat(end - start) };
}

const specific = rule("specific", 90);
const generic = rule("generic", 0);

describe("keepMostSpecific", () => {
  it("keeps the more specific of two overlapping matches", () => {
    const kept = keepMostSpecific([match(generic, 0, 40), match(specific, 5, 20)]);
    expect(kept.map((m) => m.rule.id)).toEqual(["specific"]);
  });

  it("keeps the longer match when specificity ties", () => {
    const kept = keepMostSpecific([match(specific, 0, 10), match(specific, 5, 30)]);
    expect(kept).toEqual([match(specific, 5, 30)]);
  });

  it("keeps matches that only touch or do not overlap, ordered by offset", () => {
    const kept = keepMostSpecific([match(generic, 20, 30), match(specific, 0, 10), match(generic, 10, 20)]);
    expect(kept.map((m) => [m.start, m.end])).toEqual([
      [0, 10],
      [10, 20],
      [20, 30],
    ]);
  });

  it("lets a dropped match not block a third one", () => {
    // generic [0,25) loses to specific [20,30); generic [0,15) then overlaps nothing kept.
    const kept = keepMostSpecific([match(generic, 0, 25), match(specific, 20, 30), match(generic, 0, 15)]);
    expect(kept.map((m) => [m.rule.id, m.start])).toEqual([
      ["generic", 0],
      ["specific", 20],
    ]);
  });

  it("returns nothing for nothing", () => {
    expect(keepMostSpecific([])).toEqual([]);
  });
});
