import { valid as validPep440 } from "@renovatebot/pep440";
import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet } from "../package-set.js";

// PEP 508 name, optional extras, then the rest (version specifiers, possibly in parentheses).
const REQUIREMENT = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(.*)$/s;
const EXACT_PIN = /^(===?)\s*(\S+)$/;
// Options that may follow a requirement on its line (`--hash=…`, `--config-settings …`).
const TRAILING_OPTIONS = /\s--?[A-Za-z].*$/s;
const MAX_SPEC = 256;

/**
 * Packages in a pip requirements file. Only exact pins (`name==version`, `name===version`, with
 * extras and environment markers allowed) are checked; anything else (ranges, `==1.*`, unpinned names,
 * URLs, editable installs) is reported as unchecked with the reason. Markers are not evaluated: a pin
 * counts whatever platform it is for. `-r`/`-c` includes cannot be followed (only one file is sent)
 * and, like other options, are ignored.
 */
export function parseRequirementsTxt(text: string): PackageSet {
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const { line, number } of logicalLines(text)) {
    const withoutComment = line.replace(/(^|\s)#.*$/s, "").trim();
    if (withoutComment === "") continue;
    if (withoutComment.startsWith("-")) {
      editable(withoutComment, set);
      continue;
    }
    requirement(withoutComment.replace(TRAILING_OPTIONS, "").trim(), number, set);
  }
  return set;
}

function requirement(text: string, lineNumber: number, set: PackageSet): void {
  const spec = text.slice(0, MAX_SPEC);
  const match = REQUIREMENT.exec(text);
  const name = match?.[1] ?? "";
  const rest = match?.[2] ?? "";
  if (match !== null && rest.startsWith("@")) {
    const kind = sourceKind(rest.slice(1).trim());
    set.unchecked.push({ ecosystem: "PyPI", name, spec, kind, reason: "a direct URL reference (name @ url), not a registry version" });
    return;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/|^[./~]|\.(?:whl|zip|tar\.gz)$/i.test(text)) {
    set.unchecked.push({
      ecosystem: "PyPI",
      name: archiveName(text),
      spec,
      kind: sourceKind(text),
      reason: "a URL or path, not a registry version",
    });
    return;
  }
  const specifiers =
    rest
      .split(";")[0]
      ?.trim()
      .replace(/^\((.*)\)$/s, "$1") ?? "";
  if (match === null || (specifiers !== "" && !/^[<>=!~]/.test(specifiers))) {
    throw new DependencyInputError("lockfile_malformed", `requirements.txt line ${lineNumber}: not a requirement (expected name==version)`);
  }
  const pins = specifiers
    .split(",")
    .map((s) => EXACT_PIN.exec(s.trim()))
    .filter((m) => m !== null);
  const version = pins.length === 1 ? pins[0]?.[2] : undefined;
  if (version === undefined || version.includes("*")) {
    set.unchecked.push({ ecosystem: "PyPI", name, spec, kind: "unpinned", reason: "not pinned to one version with ==" });
  } else if (validPep440(version) === null) {
    set.unchecked.push({ ecosystem: "PyPI", name, spec, kind: "invalid_version", reason: "the pinned version is not a PEP 440 version" });
  } else {
    set.packages.push({ ecosystem: "PyPI", name, version });
  }
}

/** `-e <path or VCS URL>` is a local or VCS checkout: unchecked. Other options are ignored. */
function editable(option: string, set: PackageSet): void {
  const target = /^(?:-e|--editable)(?:\s+|=)(.+)$/s.exec(option)?.[1]?.trim();
  if (target === undefined) return;
  const reason = "an editable install (local or VCS), not a registry version";
  set.unchecked.push({ ecosystem: "PyPI", name: archiveName(target), spec: option.slice(0, MAX_SPEC), kind: sourceKind(target), reason });
}

/** Where a URL or path requirement comes from: a VCS (`git+…`, also hg, svn, bzr), the local disk, or the web. */
function sourceKind(target: string): "git" | "path" | "url" {
  if (/^(?:git|hg|svn|bzr)\+/i.test(target)) return "git";
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !/^file:/i.test(target) ? "url" : "path";
}

/** The package name a URL or path names: `#egg=name`, a wheel/sdist file name, or the last path segment. */
function archiveName(target: string): string {
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(target)?.[1];
  if (egg !== undefined) return egg;
  const last =
    target
      .replace(/[?#].*$/s, "")
      .replace(/\/+$/, "")
      .split("/")
      .at(-1) ?? target;
  return (/^([A-Za-z0-9._]+?)-\d/.exec(last)?.[1] ?? last).slice(0, MAX_SPEC);
}

/** Lines with `\` continuations joined, each with the number of its first physical line. */
function* logicalLines(text: string): Generator<{ line: string; number: number }> {
  const physical = text.split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const number = i + 1;
    let line = physical[i] ?? "";
    while (line.endsWith("\\") && i + 1 < physical.length) {
      line = `${line.slice(0, -1)} ${physical[++i] ?? ""}`;
    }
    yield { line: line.endsWith("\\") ? line.slice(0, -1) : line, number };
  }
}
