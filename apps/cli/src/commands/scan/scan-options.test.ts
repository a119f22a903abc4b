import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { ScanUsageError, collect, parseLabel, parseScanKinds, selectScanKinds } from "./scan-options.js";

const none = { references: [], archives: [] };

describe("scan options", () => {
  it("reads --type as a list of dependencies, secrets and image", () => {
    expect(parseScanKinds("dependencies")).toEqual(["dependencies"]);
    expect(parseScanKinds(" image , dependencies,image")).toEqual(["image", "dependencies"]);
    expect(() => parseScanKinds("images")).toThrow(InvalidArgumentError);
    expect(() => parseScanKinds(",")).toThrow(/dependencies, secrets, image/);
  });

  it("collects repeated --image values in order and refuses an empty one", () => {
    expect(collect("b:2", collect("a:1", undefined))).toEqual(["a:1", "b:2"]);
    expect(() => collect(" ", [])).toThrow(InvalidArgumentError);
  });

  it("merges --label values, the last of a key winning", () => {
    expect(parseLabel("ref=x", parseLabel("project=web", {}))).toEqual({ project: "web", ref: "x" });
    expect(parseLabel("project=api", { project: "web" })).toEqual({ project: "api" });
    for (const bad of ["=x", "Project=x", "project=", "project"]) expect(() => parseLabel(bad, {}), bad).toThrow(InvalidArgumentError);
  });

  it("scans dependencies by default, only the images when images are named, and images whenever one is named", () => {
    expect(selectScanKinds(undefined, none)).toEqual(["dependencies"]);
    expect(selectScanKinds(undefined, { references: ["nginx"], archives: [] })).toEqual(["image"]);
    expect(selectScanKinds(undefined, { references: [], archives: ["app.tar"] })).toEqual(["image"]);
    expect(selectScanKinds(["dependencies", "secrets"], { references: ["nginx"], archives: [] })).toEqual([
      "dependencies",
      "secrets",
      "image",
    ]);
    expect(selectScanKinds(["image", "dependencies"], { references: ["nginx"], archives: [] })).toEqual(["image", "dependencies"]);
    expect(selectScanKinds(["secrets"], none)).toEqual(["secrets"]);
  });

  it("refuses --type image without an image to scan", () => {
    expect(() => selectScanKinds(["image"], none)).toThrow(ScanUsageError);
    expect(() => selectScanKinds(["dependencies", "image"], none)).toThrow(/--image REF .* --image-archive FILE/);
  });
});
