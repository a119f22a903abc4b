import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet, UncheckedEntry } from "../package-set.js";
import type { UncheckedKind } from "../unchecked-kind.js";
import { goSemverScheme } from "../version-schemes/go-semver.js";

interface Statement {
  verb: string;
  args: string[];
  comment: string;
  line: number;
}

interface Replacement {
  oldVersion: string | undefined;
  path: string;
  version: string | undefined;
}

// The directives the go command knows (https://go.dev/ref/mod#go-mod-file-grammar); it refuses a file with any other.
const KNOWN_VERBS = new Set(["module", "go", "toolchain", "godebug", "require", "replace", "exclude", "retract", "tool", "ignore"]);
// `go 1.21`, `go 1.21.3`, `go 1.21rc1` and toolchain names `go1.21.3`, `go1.22.0-custom` (the suffix is a build's label).
const GO_RELEASE = /^(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta)(\d+))?(?:-.*)?$/;
const MAX_SPEC = 512;

/**
 * Modules a go.mod requires, read as the go command reads the file (https://go.dev/ref/mod#go-mod-file):
 * `require` lines and blocks (`// indirect` marks a module only other modules need), with `replace`
 * applied (a version-specific replacement over one for every version; a module replacement is checked as
 * the module it names, a directory replacement is unchecked). `exclude` and `retract` change which
 * versions the go command may pick, not the ones required, so they are read past. The Go standard library
 * is the package `stdlib` (as OSV's Go records name it) at the `toolchain` version, else the `go` version:
 * the oldest Go the module builds with.
 */
export function parseGoMod(text: string): PackageSet {
  const statements = goModStatements(text);
  const replacements = new Map<string, Replacement[]>();
  for (const statement of statements.filter((s) => s.verb === "replace")) {
    const replacement = readReplace(statement);
    replacements.set(replacement.oldPath, [...(replacements.get(replacement.oldPath) ?? []), replacement]);
  }
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const statement of statements.filter((s) => s.verb === "require")) addRequire(statement, replacements, set);
  const stdlib = standardLibraryVersion(statements);
  if (stdlib !== undefined) set.packages.push({ ecosystem: "Go", name: "stdlib", version: stdlib });
  return set;
}

function addRequire(statement: Statement, replacements: Map<string, Replacement[]>, set: PackageSet): void {
  const [path = "", version, ...rest] = statement.args;
  if (version === undefined || rest.length > 0) {
    set.unchecked.push(
      goUnchecked(
        path,
        statement.args.join(" "),
        "malformed_entry",
        `go.mod line ${statement.line}: a require takes a module path and a version`,
      ),
    );
    return;
  }
  const direct = !isIndirect(statement.comment);
  const candidates = replacements.get(path) ?? [];
  const replacement = candidates.find((r) => r.oldVersion === version) ?? candidates.find((r) => r.oldVersion === undefined);
  if (replacement !== undefined && replacement.version === undefined) {
    set.unchecked.push(goUnchecked(path, `${path}@${replacement.path}`, "path", "replaced by a local directory, not a module version"));
    return;
  }
  const name = replacement?.path ?? path;
  const used = replacement?.version ?? version;
  if (goSemverScheme.key(used) === null) {
    set.unchecked.push(goUnchecked(name, `${name}@${used}`, "invalid_version", "the version is not a Go module version"));
    return;
  }
  set.packages.push({ ecosystem: "Go", name, version: used, direct });
}

function readReplace(statement: Statement): Replacement & { oldPath: string } {
  const arrow = statement.args.indexOf("=>");
  const old = statement.args.slice(0, Math.max(arrow, 0));
  const replacement = statement.args.slice(arrow + 1);
  if (arrow < 1 || old.length > 2 || replacement.length < 1 || replacement.length > 2) {
    throw new DependencyInputError(
      "lockfile_malformed",
      `go.mod line ${statement.line}: a replace is \`module [version] => module version\` or \`module [version] => directory\``,
    );
  }
  return { oldPath: old[0] ?? "", oldVersion: old[1], path: replacement[0] ?? "", version: replacement[1] };
}

// The go command's rule (modfile.isIndirect): the line's comment is `indirect` or starts `indirect;`.
function isIndirect(comment: string): boolean {
  const text = comment.trim();
  return text === "indirect" || text.startsWith("indirect;");
}

function standardLibraryVersion(statements: Statement[]): string | undefined {
  const toolchain = statements.find((s) => s.verb === "toolchain")?.args[0];
  const goLine = statements.find((s) => s.verb === "go")?.args[0];
  return [toolchain, goLine].map(goReleaseAsSemver).find((version) => version !== undefined);
}

/** A Go release as OSV's stdlib ranges write it: `1.21` → `1.21.0`, `go1.21rc2` → `1.21.0-rc.2`. */
export function goReleaseAsSemver(release: string | undefined): string | undefined {
  const match = release === undefined ? null : GO_RELEASE.exec(release);
  if (match === null) return undefined;
  const [, major, minor = "0", patch = "0", pre, preNumber] = match;
  return `${major}.${minor}.${patch}${pre === undefined ? "" : `-${pre}.${preNumber}`}`;
}

/** The statements of a go.mod, block forms (`require ( … )`) expanded to one statement per line. */
function goModStatements(text: string): Statement[] {
  const statements: Statement[] = [];
  let block: string | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const { tokens, comment } = lineTokens(raw, line);
    if (tokens.length === 0) return;
    if (block !== undefined) {
      if (tokens.length === 1 && tokens[0] === ")") block = undefined;
      else statements.push({ verb: block, args: tokens, comment, line });
      return;
    }
    const [verb = "", ...args] = tokens;
    if (!KNOWN_VERBS.has(verb)) {
      throw new DependencyInputError("lockfile_malformed", `go.mod line ${line}: unknown directive ${JSON.stringify(verb.slice(0, 40))}`);
    }
    if (args.length === 1 && args[0] === "(") block = verb;
    else if (!(args.length === 2 && args[0] === "(" && args[1] === ")")) statements.push({ verb, args, comment, line });
  });
  if (block !== undefined) throw new DependencyInputError("lockfile_malformed", `go.mod: a ${block} block is not closed`);
  return statements;
}

/** One line's tokens (quoted strings unquoted; `=>`, `(` and `)` apart, as the go command's lexer has them) and its `//` comment. */
function lineTokens(raw: string, line: number): { tokens: string[]; comment: string } {
  const tokens: string[] = [];
  let i = 0;
  while (i < raw.length) {
    const char = raw[i] ?? "";
    if (/\s/.test(char)) {
      i++;
    } else if (raw.startsWith("//", i)) {
      return { tokens, comment: raw.slice(i + 2) };
    } else if (char === '"' || char === "`") {
      const end = quotedEnd(raw, i);
      if (end === -1) throw new DependencyInputError("lockfile_malformed", `go.mod line ${line}: unterminated string`);
      const quoted = raw.slice(i, end + 1);
      tokens.push(char === "`" ? quoted.slice(1, -1) : unquote(quoted, line));
      i = end + 1;
    } else if (raw.startsWith("=>", i)) {
      tokens.push("=>");
      i += 2;
    } else if (char === "(" || char === ")") {
      tokens.push(char);
      i++;
    } else {
      let end = i;
      while (end < raw.length && !/[\s()]/.test(raw[end] ?? "") && !raw.startsWith("//", end) && !raw.startsWith("=>", end)) end++;
      tokens.push(raw.slice(i, end));
      i = end;
    }
  }
  return { tokens, comment: "" };
}

// Go's escapes that JSON lacks (`\x41`, `\101`) are refused with the line rather than guessed at.
function unquote(quoted: string, line: number): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    throw new DependencyInputError("lockfile_malformed", `go.mod line ${line}: a quoted string this reader cannot unquote`);
  }
}

function quotedEnd(raw: string, start: number): number {
  const quote = raw[start];
  for (let i = start + 1; i < raw.length; i++) {
    if (quote === '"' && raw[i] === "\\") i++;
    else if (raw[i] === quote) return i;
  }
  return -1;
}

function goUnchecked(name: string, spec: string, kind: UncheckedKind, reason: string): UncheckedEntry {
  return { ecosystem: "Go", name: name.slice(0, MAX_SPEC), spec: spec.slice(0, MAX_SPEC), kind, reason };
}
