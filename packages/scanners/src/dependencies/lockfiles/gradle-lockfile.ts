import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageRef, PackageSet } from "../package-set.js";

// `group:artifact:version=configuration,…`; Gradle writes nothing else on an entry line.
const ENTRY = /^([^:=\s]+):([^:=\s]+):([^:=]+)=(.*)$/;
// Gradle's own test configurations (testCompileClasspath) and those of test source sets (integrationTestRuntimeClasspath).
const TEST_CONFIGURATION = /(?:^test|Test)(?=[A-Z])/;
const MAX_SPEC = 512;

/**
 * Packages in a Gradle dependency lock file (`gradle.lockfile`, `buildscript-gradle.lockfile`):
 * https://docs.gradle.org/current/userguide/dependency_locking.html. Each line is one resolved module
 * and the configurations that resolve it; one used only by test configurations is dev-only. The file does
 * not say which modules are declared, so `direct` and `path` stay unknown. A line that is not an entry
 * goes to `unchecked`; a file without a single entry or `empty=` line is not a Gradle lock file.
 */
export function parseGradleLockfile(text: string): PackageSet {
  const set: PackageSet = { packages: [], unchecked: [] };
  let recognised = false;
  let content = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    content = true;
    if (line.startsWith("empty=")) {
      recognised = true;
      continue;
    }
    const match = ENTRY.exec(line);
    if (match === null) {
      const name = line.split("=")[0]?.slice(0, MAX_SPEC) ?? "";
      set.unchecked.push({
        ecosystem: "Maven",
        name,
        spec: line.slice(0, MAX_SPEC),
        kind: "malformed_entry",
        reason: "not a group:artifact:version=configurations line",
      });
      continue;
    }
    recognised = true;
    const [, group, artifact, version = "", configurationList = ""] = match;
    const name = `${group}:${artifact}`;
    if (/\s/.test(version.trim()) || version.trim() === "") {
      set.unchecked.push({
        ecosystem: "Maven",
        name,
        spec: `${name}@${version}`.slice(0, MAX_SPEC),
        kind: "invalid_version",
        reason: "the version is not a Maven version",
      });
      continue;
    }
    const configurations = configurationList
      .split(",")
      .map((c) => c.trim())
      .filter((c) => c !== "");
    const ref: PackageRef = { ecosystem: "Maven", name, version: version.trim() };
    if (configurations.length > 0) ref.dev = configurations.every((c) => TEST_CONFIGURATION.test(c));
    set.packages.push(ref);
  }
  if (content && !recognised) {
    throw new DependencyInputError("lockfile_malformed", "gradle.lockfile: no group:artifact:version=configurations or empty= line");
  }
  return set;
}
