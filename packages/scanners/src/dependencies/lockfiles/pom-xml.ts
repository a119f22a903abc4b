import { XMLParser, XMLValidator } from "fast-xml-parser";
import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageRef, PackageSet, UncheckedEntry } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";

const DEPENDENCY_LISTS = new Set(["project.dependencies.dependency", "project.dependencyManagement.dependencies.dependency"]);
const PROPERTY = /\$\{([^}]*)\}/g;
// A property may name another; Maven refuses cycles, and a chain this long is one.
const MAX_PROPERTY_DEPTH = 16;
const RANGE = /[[\](),]/;
const MAX_SPEC = 512;

const parser = new XMLParser({
  // Versions such as 1.10 must stay strings.
  parseTagValue: false,
  // Entities are not needed for coordinates, and expanding a DOCTYPE's own ones is a denial-of-service risk.
  processEntities: false,
  removeNSPrefix: true,
  isArray: (_name, jpath) => DEPENDENCY_LISTS.has(String(jpath)),
});

interface Declared {
  groupId: string | undefined;
  artifactId: string | undefined;
  version: string | undefined;
  scope: string | undefined;
}

/**
 * The dependencies a Maven pom.xml declares, in `<dependencies>` and `<dependencyManagement>`: declared
 * versions only, since resolving the tree needs the repositories. `${…}` is resolved from the file's own
 * `<properties>` and `project.version`/`project.groupId`/`project.parent.version`; a dependency without a
 * version takes it from the file's `<dependencyManagement>`. A version still unknown (a property or a
 * parent/BOM outside the file) or a version range goes to `unchecked`. Every declared dependency is
 * direct; `<scope>test</scope>` marks it dev-only.
 */
export function parsePomXml(text: string): PackageSet {
  if (XMLValidator.validate(text) !== true) throw malformed("not well-formed XML");
  const document = parser.parse(text) as unknown;
  const project = isJsonObject(document) ? document.project : undefined;
  if (!isJsonObject(project)) throw malformed("no <project> element");
  const resolve = resolver(project);
  const dependencies = dependencyList(project.dependencies);
  const managed = dependencyList(isJsonObject(project.dependencyManagement) ? project.dependencyManagement.dependencies : undefined);
  const managedVersions = new Map<string, string>();
  for (const entry of managed) {
    const declared = read(entry, resolve);
    if (declared?.groupId !== undefined && declared.artifactId !== undefined && declared.version !== undefined) {
      managedVersions.set(`${declared.groupId}:${declared.artifactId}`, declared.version);
    }
  }
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const entry of dependencies) add(entry, resolve, managedVersions, set, true);
  for (const entry of managed) add(entry, resolve, new Map(), set, false);
  return { packages: mergeDeclarations(set.packages), unchecked: set.unchecked };
}

/** A managed version that a `<dependency>` of the file also uses is one package, dev-only if only tests use it. */
function mergeDeclarations(packages: PackageRef[]): PackageRef[] {
  const byKey = new Map<string, PackageRef>();
  for (const ref of packages) {
    const key = `${ref.name}@${ref.version}`;
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, ref);
    else if (ref.dev !== undefined && seen.dev !== false) seen.dev = ref.dev;
  }
  return [...byKey.values()];
}

function add(
  entry: unknown,
  resolve: (text: string) => string,
  managedVersions: Map<string, string>,
  set: PackageSet,
  used: boolean,
): void {
  const declared = read(entry, resolve);
  if (declared === undefined || declared.groupId === undefined || declared.artifactId === undefined) {
    const name = declared === undefined ? "" : [declared.groupId, declared.artifactId].filter((part) => part !== undefined).join(":");
    const reason =
      declared === undefined ? "the <dependency> is not an element with children" : "the <dependency> lacks a groupId or artifactId";
    set.unchecked.push({ ecosystem: "Maven", name, spec: name, kind: "malformed_entry", reason });
    return;
  }
  const name = `${declared.groupId}:${declared.artifactId}`;
  const version = declared.version ?? managedVersions.get(name);
  const problem = versionProblem(name, version);
  if (problem !== undefined) {
    set.unchecked.push(problem);
    return;
  }
  const ref: PackageRef = { ecosystem: "Maven", name, version: version as string, direct: true, path: [name] };
  // A managed version says nothing about what uses it, unless it is managed for tests only.
  if (used || declared.scope === "test") ref.dev = declared.scope === "test";
  set.packages.push(ref);
}

function versionProblem(name: string, version: string | undefined): UncheckedEntry | undefined {
  if (version === undefined || version === "") {
    return {
      ecosystem: "Maven",
      name,
      spec: name,
      kind: "no_version",
      reason: "no version in this file (it comes from a parent POM or an imported BOM)",
    };
  }
  const spec = `${name}@${version}`.slice(0, MAX_SPEC);
  if (version.includes("${")) {
    return { ecosystem: "Maven", name, spec, kind: "no_version", reason: "the version is a property this file does not define" };
  }
  if (RANGE.test(version)) return { ecosystem: "Maven", name, spec, kind: "unpinned", reason: "a version range, not one version" };
  if (/\s/.test(version)) return { ecosystem: "Maven", name, spec, kind: "invalid_version", reason: "the version is not a Maven version" };
  return undefined;
}

function read(entry: unknown, resolve: (text: string) => string): Declared | undefined {
  if (!isJsonObject(entry)) return undefined;
  const field = (key: string): string | undefined => {
    const value = entry[key];
    return typeof value === "string" && value.trim() !== "" ? resolve(value.trim()) : undefined;
  };
  return { groupId: field("groupId"), artifactId: field("artifactId"), version: field("version"), scope: field("scope") };
}

function dependencyList(container: unknown): unknown[] {
  if (!isJsonObject(container)) return [];
  const list = container.dependency;
  return Array.isArray(list) ? list : [];
}

/** Replaces each `${name}` the file defines; one it does not is left in place, so the caller sees it. */
function resolver(project: Record<string, unknown>): (text: string) => string {
  const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
  const parent = isJsonObject(project.parent) ? project.parent : {};
  const values = new Map<string, string>();
  if (isJsonObject(project.properties)) {
    for (const [key, value] of Object.entries(project.properties)) {
      const defined = text(value);
      if (defined !== undefined) values.set(key, defined);
    }
  }
  // What Maven's model gives these; a child inherits its parent's version and groupId when it omits them.
  const builtIns: [string, string | undefined][] = [
    ["project.version", text(project.version) ?? text(parent.version)],
    ["project.groupId", text(project.groupId) ?? text(parent.groupId)],
    ["project.artifactId", text(project.artifactId)],
    ["project.parent.version", text(parent.version)],
    ["project.parent.groupId", text(parent.groupId)],
  ];
  for (const [key, value] of builtIns) {
    if (value !== undefined) {
      values.set(key, value);
      // Maven 2's spellings, still read by Maven 3.
      values.set(key.replace(/^project\./, "pom."), value);
    }
  }
  return (input) => {
    let current = input;
    for (let depth = 0; depth < MAX_PROPERTY_DEPTH && current.includes("${"); depth++) {
      const next = current.replace(PROPERTY, (whole, key: string) => values.get(key.trim()) ?? whole);
      if (next === current) break;
      current = next;
    }
    return current;
  };
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `pom.xml: ${problem}`);
}
