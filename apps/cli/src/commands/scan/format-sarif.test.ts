import { describe, expect, it } from "vitest";
import { packageLine } from "./format-sarif.js";

describe("packageLine", () => {
  it("finds a package-lock entry by its key and the version below it", () => {
    const text = [
      "{",
      '  "packages": {',
      '    "node_modules/lodash-es": {',
      '      "version": "4.17.20"',
      "    },",
      '    "node_modules/lodash": {',
      '      "version": "4.17.20"',
      "    }",
    ].join("\n");
    expect(packageLine(text, "lodash", "4.17.20")).toBe(6);
  });

  it("finds pnpm and yarn entries", () => {
    expect(packageLine("packages:\n\n  /minimist@1.2.5:\n    resolution: x", "minimist", "1.2.5")).toBe(3);
    expect(packageLine('"@babel/core@^7.0.0":\n  version "7.1.0"\n\nlodash@^4.17.0:\n  version "4.17.20"', "lodash", "4.17.20")).toBe(4);
  });

  it("matches Python names as PEP 503 normalises them, and falls back to line 1", () => {
    expect(packageLine("Django==4.2.1\nzope.interface==6.0\nPyYAML==5.3.1", "pyyaml", "5.3.1")).toBe(3);
    expect(packageLine("zope-interface==6.0", "zope.interface", "6.0")).toBe(1);
    expect(packageLine("flask==2.0.0", "django", "4.2.1")).toBe(1);
  });
});
