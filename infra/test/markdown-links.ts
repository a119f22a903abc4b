import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";

/** A link target written in a Markdown file, with the line it is on (1-based). */
export interface MarkdownLink {
  target: string;
  line: number;
}

/** A link a reader of the repository cannot follow. */
export interface LinkProblem {
  file: string;
  line: number;
  target: string;
  problem: string;
}

const FENCE = /^\s*(`{3,}|~{3,})/;
const HEADING = /^#{1,6}\s+(.*?)\s*#*\s*$/;
// `[text](target)` and `![alt](target)`, target optionally in <…>, optionally followed by a "title".
const INLINE_LINK = /\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
// `[label]: target` reference definitions.
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/;
const CODE_SPAN = /(`+)(?:(?!\n[ \t]*\n)[\s\S])*?\1/g;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const EXTERNAL = /^(?:https?|mailto):/i;

/** For each line, whether it belongs to a fenced code block (the fences included). */
function inFencedCode(lines: readonly string[]): boolean[] {
  let fence: string | undefined;
  return lines.map((line) => {
    const opener = FENCE.exec(line)?.[1];
    if (fence === undefined) {
      fence = opener;
      return opener !== undefined;
    }
    if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) fence = undefined;
    return true;
  });
}

/**
 * The lines of `text` with fenced code blocks blanked and inline code spans replaced by spaces: what they
 * contain is code, not links. Line numbers are kept.
 */
function proseLines(text: string): string[] {
  const lines = text.split("\n");
  const code = inFencedCode(lines);
  const prose = lines.map((line, index) => (code[index] ? "" : line)).join("\n");
  // A code span may wrap onto the next line, but never past a blank line.
  return prose.replace(CODE_SPAN, (span) => span.replace(/[^\n]/g, " ")).split("\n");
}

/** Every link target of a Markdown text, outside code. */
export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(text).forEach((line, index) => {
    for (const match of line.matchAll(INLINE_LINK)) links.push({ target: match[1] ?? "", line: index + 1 });
    const reference = REFERENCE_DEFINITION.exec(line)?.[1];
    if (reference !== undefined) links.push({ target: reference, line: index + 1 });
  });
  return links;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors GitHub gives the headings of a Markdown text (a repeated heading gets `-1`, `-2`, …). */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const lines = text.split("\n");
  const code = inFencedCode(lines);
  lines.forEach((line, index) => {
    const heading = code[index] ? undefined : HEADING.exec(line)?.[1];
    if (heading === undefined) return;
    const slug = headingSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  });
  return anchors;
}

/**
 * The links of one Markdown file (`file`, absolute, inside `root`) that a reader of the repository cannot follow:
 * a path outside the repository, an absolute path, a file that does not exist, or an anchor that names no heading
 * of its Markdown file. Web links (`http:`, `https:`, `mailto:`) are not followed.
 */
export function checkMarkdownLinks(root: string, file: string, text: string = readFileSync(file, "utf8")): LinkProblem[] {
  const problems: LinkProblem[] = [];
  const shown = relative(root, file);
  for (const { target, line } of markdownLinks(text)) {
    const problem = linkProblem(root, file, text, target);
    if (problem !== undefined) problems.push({ file: shown, line, target, problem });
  }
  return problems;
}

function linkProblem(root: string, file: string, text: string, target: string): string | undefined {
  if (target === "") return "empty link target";
  if (EXTERNAL.test(target)) return undefined;
  if (SCHEME.test(target)) return "not a web link or a repository path";
  const [pathPart = "", fragment] = target.split("#", 2);
  const path = decodeURIComponent(pathPart.split("?")[0] ?? "");
  if (path === "") return anchorProblem(text, fragment);
  if (isAbsolute(path)) return "an absolute path: link relative to this file";
  const resolved = resolve(dirname(file), path);
  const inRepository = relative(root, resolved);
  if (inRepository.startsWith("..") || isAbsolute(inRepository)) return "outside the repository";
  if (!existsSync(resolved)) return "no such file in the repository";
  if (fragment !== undefined && resolved.endsWith(".md") && statSync(resolved).isFile()) {
    return anchorProblem(readFileSync(resolved, "utf8"), fragment);
  }
  return undefined;
}

function anchorProblem(text: string, fragment: string | undefined): string | undefined {
  if (fragment === undefined || fragment === "") return undefined;
  return headingAnchors(text).has(decodeURIComponent(fragment).toLowerCase()) ? undefined : `no heading with anchor #${fragment}`;
}

const SKIPPED_DIRECTORIES = new Set(["node_modules", "dist", ".git", ".turbo", ".secapi", "coverage"]);

/** Every Markdown file under `root`, skipping dependencies, build output and local state. */
export function markdownFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) walk(join(dir, entry.name));
      } else if (entry.name.endsWith(".md")) {
        files.push(join(dir, entry.name));
      }
    }
  };
  walk(root);
  return files.sort();
}
