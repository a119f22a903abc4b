import { describe, expect, it } from "vitest";
import { semverScheme } from "./semver.js";

describe("semverScheme", () => {
  it("keys versions equal under semver alike: a leading v and build metadata do not count", () => {
    expect(semverScheme.key("1.2.3")).toBe("1.2.3");
    expect(semverScheme.key("v1.2.3")).toBe("1.2.3");
    expect(semverScheme.key(" 1.2.3+build.5 ")).toBe("1.2.3");
    expect(semverScheme.key("1.2.3-rc.1")).toBe("1.2.3-rc.1");
  });

  it("does not read short or otherwise non-semver versions as installed versions", () => {
    for (const version of ["1", "1.2", "1.2.3.4", "01.2.3", "latest", ""])
      expect([version, semverScheme.key(version)]).toEqual([version, null]);
  });

  it("keeps advisory versions that parse as written and pads only the shorthands Go reads", () => {
    expect(semverScheme.normalize("v1.2.3")).toBe("v1.2.3");
    expect(semverScheme.normalize("1")).toBe("1.0.0");
    expect(semverScheme.normalize("v1.2")).toBe("1.2.0");
    for (const version of ["1.2-beta", "1.2.3.4", "01.2", "2024-01-01"])
      expect([version, semverScheme.normalize(version)]).toEqual([version, null]);
  });

  it("orders by semver precedence, and gives NaN when either side does not parse", () => {
    expect(semverScheme.compare("1.0.0-alpha", "1.0.0")).toBeLessThan(0);
    expect(semverScheme.compare("v2.0.0", "1.10.0")).toBeGreaterThan(0);
    expect(semverScheme.compare("1.0.0+a", "1.0.0+b")).toBe(0);
    expect(semverScheme.compare("1.0.0", "x")).toBeNaN();
  });
});
