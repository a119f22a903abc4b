import { describe, expect, it } from "vitest";
import { z } from "zod";
import { chooseUnionBranch } from "./union-branch.js";

const list = z.strictObject({ packages: z.array(z.string()) });
const lockfile = z.strictObject({ lockfile: z.string(), format: z.string(), note: z.string().optional() });
const options = [list, lockfile];

describe("chooseUnionBranch", () => {
  it("chooses the one form whose own fields the input sends, even with the others' problems", () => {
    expect(chooseUnionBranch(options, { packages: "not an array" })).toEqual({ kind: "chosen", index: 0 });
    expect(chooseUnionBranch(options, { format: "x", typo: 1 })).toEqual({ kind: "chosen", index: 1 });
    expect(chooseUnionBranch(options, { note: "only an optional field" })).toEqual({ kind: "chosen", index: 1 });
  });

  it("says when no form is sent, with each form's required fields and every field there is", () => {
    expect(chooseUnionBranch(options, { package: [] })).toEqual({
      kind: "none",
      forms: [["packages"], ["lockfile", "format"]],
      fields: ["packages", "lockfile", "format", "note"],
    });
  });

  it("says when fields of several forms are mixed", () => {
    expect(chooseUnionBranch(options, { packages: [], lockfile: "" })).toEqual({
      kind: "several",
      forms: [["packages"], ["lockfile", "format"]],
      sent: [["packages"], ["lockfile"]],
    });
  });

  it("cannot tell forms apart by fields they share, nor non-objects", () => {
    const a = z.object({ kind: z.literal("a"), x: z.string().optional() });
    const b = z.object({ kind: z.literal("b") });
    expect(chooseUnionBranch([a, b], { kind: "c" })).toEqual({ kind: "unkeyed" });
    expect(chooseUnionBranch(options, "text")).toEqual({ kind: "unkeyed" });
    expect(chooseUnionBranch([z.string(), list], { packages: [] })).toEqual({ kind: "unkeyed" });
  });

  it("sees through optional and default wrappers", () => {
    expect(chooseUnionBranch([list.optional(), lockfile.default({ lockfile: "", format: "" })], { lockfile: "" })).toEqual({
      kind: "chosen",
      index: 1,
    });
  });
});
