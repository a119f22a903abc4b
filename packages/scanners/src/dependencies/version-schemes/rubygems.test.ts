import { describe, expect, it } from "vitest";
import { rubygemsScheme } from "./rubygems.js";

// [a, b, sign of compare(a, b)] as Ruby's own Gem::Version <=> gives it.
const ORDER: [a: string, b: string, order: number][] = [
  ["1.0", "1", 0],
  ["1.0.0", "1", 0],
  ["1.0.0.0", "1.0", 0],
  ["1.0", "1.0.1", -1],
  ["1.0.1", "1.0.10", -1],
  ["1.0.9", "1.0.10", -1],
  ["1.0.a", "1.0", -1],
  ["1.0.0.pre", "1.0.0", -1],
  ["1.0.0.pre1", "1.0.0.pre2", -1],
  ["1.0.0.pre10", "1.0.0.pre9", 1],
  ["1.0.0.rc1", "1.0.0", -1],
  ["1.0.0.rc1", "1.0.0.beta2", 1],
  ["1.0.0.beta", "1.0.0.beta1", -1],
  ["1.0.0.alpha", "1.0.0.beta", -1],
  ["1.0.0.a", "1.0.0.b", -1],
  ["1.0.0.rc1", "1.0.0.rc.1", 0],
  ["1.0.0-rc1", "1.0.0.pre.rc1", 0],
  ["1.0-1", "1.0.pre.1", 0],
  ["1.0-1", "1.0", -1],
  ["1.0-1", "1.0.0.1", -1],
  ["1.a", "1.0.b", -1],
  ["1.0.a.10", "1.0.a.9", 1],
  ["1.0.0.a1", "1.0.0.a", 1],
  ["2.0.0", "1.99.99", 1],
  ["7.1.3.4", "7.1.3", 1],
  ["7.1.3.4", "7.1.4", -1],
  ["7.0.8.1", "7.0.8", 1],
  ["7.0.8.rc1", "7.0.7", 1],
  ["1.16.0", "1.15.5", 1],
  ["1.16.0.rc1", "1.15.5", 1],
  ["0.9", "0.10", -1],
  ["0.0.1", "0.0.01", 0],
  ["01.0", "1.0", 0],
  ["1.0.0.pre", "1.0.0.Pre", 1],
  ["1.0.0.ALPHA", "1.0.0.alpha", -1],
  ["3.2.2", "3.2.2.0.0", 0],
  ["5.2.8.1", "5.2.8", 1],
  ["6.1.7.7", "6.1.7.10", -1],
  ["2.7.0.beta1", "2.7.0.alpha", 1],
  ["1.0.x", "1.0.y", -1],
  ["1.0.x", "1.0.1", -1],
  ["1.2.3.dev", "1.2.3", -1],
  ["1.2.3.dev", "1.2.3.dev.1", -1],
  ["1.2.3.b1", "1.2.3.b.1", 0],
  ["10.0", "9.99", 1],
  ["1.0.0.1", "1.0.0.1.0", 0],
  ["1.0.0.a.1", "1.0.0.a.1.0", 0],
  ["1.0.0.a.0", "1.0.0.a", 0],
  ["1.1.a", "1.0", 1],
  ["4.0.0.rc2", "4.0.0.rc10", -1],
  ["2.5.0", "2.5.0.beta", 1],
  ["1.0.0.preview", "1.0.0.pre", 1],
  ["1.0.0.z", "1.0.0", -1],
  ["20240101", "20231231", 1],
  ["1.2.3.4.5.6", "1.2.3.4.5", 1],
];

describe("rubygemsScheme", () => {
  it.each(ORDER)("orders %s against %s as %i, and both the other way round", (a, b, order) => {
    expect(rubygemsScheme.compare(a, b)).toBe(order);
    expect(rubygemsScheme.compare(b, a)).toBe(-order || 0);
    expect(rubygemsScheme.key(a) === rubygemsScheme.key(b)).toBe(order === 0);
  });

  it("reads only what Gem::Version reads, and keeps versions as written", () => {
    for (const version of ["", "latest", "1..2", "v1.0", "1.0.0-x86_64-linux"])
      expect([version, rubygemsScheme.key(version)]).toEqual([version, null]);
    expect(rubygemsScheme.normalize("1.0")).toBe("1.0");
    expect(rubygemsScheme.compare("1.0", "latest")).toBeNaN();
  });
});
