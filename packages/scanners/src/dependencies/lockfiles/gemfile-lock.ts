import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageRef, PackageSet } from "../package-set.js";
import { rubygemsScheme } from "../version-schemes/rubygems.js";

// Bundler's LockfileParser::NAME_VERSION: the version is up to the first `-`, the rest is the platform.
const SPEC = /^ {4}(?! )(\S+?)(?: \(([^-)]*)(?:-([^)]*))?\))?$/;
const DEPENDENCY = /^ {6}(?! )(\S+?)(?: \(.*\))?$/;
const DIRECT = /^ {2}(?! )(\S+?)(!)?(?: \(.*\))?$/;
const OPTION = /^ {2}(remote|revision|ref|branch|tag): (.*)$/;
// Sections that list gems under `specs:`; PLUGIN SOURCE lists Bundler plugins, read like GIT.
const SOURCE_SECTIONS = new Set(["GEM", "GIT", "PATH", "PLUGIN SOURCE"]);
const KNOWN_SECTIONS = new Set([...SOURCE_SECTIONS, "PLATFORMS", "DEPENDENCIES", "RUBY VERSION", "BUNDLED WITH", "CHECKSUMS"]);

interface Spec {
  name: string;
  version: string;
  section: string;
  options: Record<string, string>;
  line: string;
}

/**
 * Packages in a Bundler Gemfile.lock. Gems of GEM sections (a gem server) are checked at their version, a
 * platform suffix dropped (`nokogiri (1.16.0-x86_64-linux)` is 1.16.0); gems of GIT, PATH and plugin
 * sections go to `unchecked`. DEPENDENCIES names the direct gems, and each gem's indented dependencies give
 * the path down from one. The file does not say which gems are development-only (Gemfile groups).
 */
export function parseGemfileLock(text: string): PackageSet {
  const set: PackageSet = { packages: [], unchecked: [] };
  const specs: Spec[] = [];
  const requires = new Map<string, string[]>();
  const direct = new Set<string>();
  let section: string | undefined;
  let options: Record<string, string> = {};
  let current: Spec | undefined;
  let sawSection = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    if (!line.startsWith(" ")) {
      section = line.trim();
      sawSection ||= KNOWN_SECTIONS.has(section);
      options = {};
      current = undefined;
      continue;
    }
    if (section === undefined) throw malformed("the file does not start with a section (GEM, GIT, PATH, DEPENDENCIES…)");
    if (SOURCE_SECTIONS.has(section)) {
      current = sourceLine(line, section, options, specs, requires, current, set);
    } else if (section === "DEPENDENCIES") {
      const match = DIRECT.exec(line);
      if (match?.[1] !== undefined) direct.add(match[1]);
    }
  }
  if (!sawSection) throw malformed("no GEM, GIT, PATH or DEPENDENCIES section");
  const paths = pathsFromDirect(direct, requires);
  for (const spec of specs) addSpec(spec, direct, paths, set);
  return set;
}

function sourceLine(
  line: string,
  section: string,
  options: Record<string, string>,
  specs: Spec[],
  requires: Map<string, string[]>,
  current: Spec | undefined,
  set: PackageSet,
): Spec | undefined {
  const option = OPTION.exec(line);
  if (option?.[1] !== undefined) {
    options[option[1]] = option[2] ?? "";
    return current;
  }
  if (/^ {2}specs:$/.test(line) || /^ {2}\S/.test(line)) return current;
  const dependency = DEPENDENCY.exec(line);
  if (dependency?.[1] !== undefined) {
    if (current !== undefined) requires.get(current.name)?.push(dependency[1]);
    return current;
  }
  const spec = SPEC.exec(line);
  if (spec?.[1] === undefined || spec[2] === undefined) {
    const name = line.trim().split(/\s/)[0] ?? "";
    set.unchecked.push({
      ecosystem: "RubyGems",
      name,
      spec: line.trim().slice(0, 256),
      kind: "malformed_entry",
      reason: "a specs line that is not `name (version)`",
    });
    return undefined;
  }
  const entry: Spec = { name: spec[1], version: spec[2], section, options: { ...options }, line: line.trim() };
  specs.push(entry);
  if (!requires.has(entry.name)) requires.set(entry.name, []);
  return entry;
}

function addSpec(spec: Spec, direct: Set<string>, paths: Map<string, string[]>, set: PackageSet): void {
  const { name, version, section, options } = spec;
  if (section !== "GEM") {
    const kind = section === "PATH" ? "path" : "git";
    const where =
      section === "PATH"
        ? `path:${options["remote"] ?? ""}`
        : `${options["remote"] ?? ""}${options["revision"] ? `#${options["revision"]}` : ""}`;
    const reason =
      section === "PATH" ? "a gem from a local path, not from a gem server" : "a gem from a git repository, not from a gem server";
    set.unchecked.push({ ecosystem: "RubyGems", name, spec: `${name}@${where}`, kind, reason });
    return;
  }
  if (rubygemsScheme.key(version) === null) {
    set.unchecked.push({
      ecosystem: "RubyGems",
      name,
      spec: spec.line,
      kind: "invalid_version",
      reason: "the version is not a RubyGems version",
    });
    return;
  }
  const pkg: PackageRef = { ecosystem: "RubyGems", name, version, direct: direct.has(name) };
  const path = paths.get(name);
  if (path !== undefined) pkg.path = path;
  set.packages.push(pkg);
}

/** The shortest chain of gem names from a direct gem down to each gem it brings in (breadth first). */
function pathsFromDirect(direct: Set<string>, requires: Map<string, string[]>): Map<string, string[]> {
  const paths = new Map<string, string[]>();
  const queue: string[][] = [...direct].sort().map((name) => [name]);
  for (const path of queue) paths.set(path[0] ?? "", path);
  for (let i = 0; i < queue.length; i++) {
    const path = queue[i] ?? [];
    for (const next of [...(requires.get(path.at(-1) ?? "") ?? [])].sort()) {
      if (paths.has(next)) continue;
      const longer = [...path, next];
      paths.set(next, longer);
      queue.push(longer);
    }
  }
  return paths;
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `Gemfile.lock: ${problem}`);
}
