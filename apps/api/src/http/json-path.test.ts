import { describe, expect, it } from "vitest";
import { formatPath } from "./json-path.js";

describe("formatPath", () => {
  it.each([
    ["input", ["packages", 3, "ecosystem"], "input.packages[3].ecosystem"],
    ["input", [], "input"],
    ["", [], "(body)"],
    ["", ["type"], "type"],
    ["", [0, "summary"], "[0].summary"],
    ["input", ["sbom", "@context"], 'input.sbom["@context"]'],
    ["input", ["sbom", "a b", 1], 'input.sbom["a b"][1]'],
    ["input", ["x", "a\u0000b"], 'input.x["a\\u0000b"]'],
    ["input", ["x", "\ud800"], 'input.x["\\ud800"]'],
    ["input", ["files", "0"], 'input.files["0"]'],
  ])("%j + %j → %s", (root, path, expected) => {
    expect(formatPath(root, path)).toBe(expected);
  });
});
