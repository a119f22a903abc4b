import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parseNuGetPackagesLock } from "./nuget-packages-lock.js";

const lock = (dependencies: unknown, version = 1) => JSON.stringify({ version, dependencies });

describe("parseNuGetPackagesLock", () => {
  it("reads every target framework as one set, with direct packages and paths; project references are unchecked", () => {
    expect(parseNuGetPackagesLock(fixtureText("lockfiles/nuget.packages.lock.json"))).toEqual({
      packages: [
        { ecosystem: "NuGet", name: "Newtonsoft.Json", version: "12.0.3", direct: true, path: ["Newtonsoft.Json"] },
        { ecosystem: "NuGet", name: "Serilog.Sinks.File", version: "5.0.0", direct: true, path: ["Serilog.Sinks.File"] },
        { ecosystem: "NuGet", name: "Serilog", version: "2.10.0", direct: false, path: ["Serilog.Sinks.File", "Serilog"] },
        { ecosystem: "NuGet", name: "System.Text.Encodings.Web", version: "4.7.2", direct: false, path: ["System.Text.Encodings.Web"] },
        { ecosystem: "NuGet", name: "Newtonsoft.Json", version: "13.0.3", direct: true, path: ["Newtonsoft.Json"] },
        {
          ecosystem: "NuGet",
          name: "runtime.linux-x64.Microsoft.DotNet.ILCompiler",
          version: "8.0.0",
          direct: true,
          path: ["runtime.linux-x64.Microsoft.DotNet.ILCompiler"],
        },
      ],
      unchecked: [
        {
          ecosystem: "NuGet",
          name: "Example.Shared",
          spec: "Example.Shared@project",
          kind: "workspace",
          reason: "a project of the solution (a project reference), the project's own code",
        },
      ],
    });
  });

  it("merges one package across targets: direct if it is for any, with the shortest path", () => {
    const text = lock({
      "net6.0": {
        A: { type: "Direct", resolved: "1.0.0", dependencies: { B: "1.0.0" } },
        B: { type: "Transitive", resolved: "1.0.0", dependencies: { C: "2.0.0" } },
        C: { type: "Transitive", resolved: "2.0.0" },
      },
      "net8.0": { C: { type: "Direct", resolved: "2.0.0" } },
    });
    expect(parseNuGetPackagesLock(text).packages).toEqual([
      { ecosystem: "NuGet", name: "A", version: "1.0.0", direct: true, path: ["A"] },
      { ecosystem: "NuGet", name: "B", version: "1.0.0", direct: false, path: ["A", "B"] },
      { ecosystem: "NuGet", name: "C", version: "2.0.0", direct: true, path: ["C"] },
    ]);
  });

  it("reports entries it cannot check as unchecked and reads the rest", () => {
    const text = lock({
      "net8.0": {
        ok: { type: "Transitive", resolved: "1.0.0" },
        "not-an-object": "1.0.0",
        "no-version": { type: "Direct" },
        "odd-type": { type: "Sideways", resolved: "1.0.0" },
        "numeric-version": { type: "Direct", resolved: 1 },
        "bad-version": { type: "Direct", resolved: "latest" },
      },
      broken: [],
    });
    const set = parseNuGetPackagesLock(text);
    expect(set.packages).toEqual([{ ecosystem: "NuGet", name: "ok", version: "1.0.0", direct: false }]);
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind])).toEqual([
      ["not-an-object", "not-an-object", "malformed_entry"],
      ["no-version", "no-version", "no_version"],
      ["odd-type", "odd-type", "malformed_entry"],
      ["numeric-version", "numeric-version", "malformed_entry"],
      ["bad-version", "bad-version@latest", "invalid_version"],
      ["broken", "broken", "malformed_entry"],
    ]);
  });

  it.each([
    ["not JSON", "<Project/>", "lockfile_malformed"],
    ["no version", JSON.stringify({ dependencies: {} }), "lockfile_malformed"],
    ["no dependencies", JSON.stringify({ version: 1 }), "lockfile_malformed"],
    ["an npm lockfile", JSON.stringify({ lockfileVersion: 3, packages: {} }), "lockfile_malformed"],
    ["a future version", lock({}, 3), "lockfile_unsupported_version"],
  ])("refuses %s", (_name, text, code) => {
    expect(() => parseNuGetPackagesLock(text)).toThrow(DependencyInputError);
    expect(() => parseNuGetPackagesLock(text)).toThrow(expect.objectContaining({ code }));
  });
});
