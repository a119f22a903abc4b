import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMarkdownLinks, headingSlug, markdownFiles, markdownLinks } from "./markdown-links.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("the repository's Markdown", () => {
  const files = markdownFiles(ROOT);

  it("includes the README and the reference docs", () => {
    const names = files.map((file) => relative(ROOT, file));
    expect(names).toEqual(expect.arrayContaining(["README.md", "docs/API.md", "docs/OPERATIONS.md", "docs/PERFORMANCE.md"]));
  });

  it.each(files.map((file) => [relative(ROOT, file), file]))("%s links only to files and headings inside the repository", (_name, file) => {
    expect(checkMarkdownLinks(ROOT, file)).toEqual([]);
  });

  it("sends README readers to the API and operations references", () => {
    const targets = markdownLinks(readFileSync(join(ROOT, "README.md"), "utf8")).map((link) => link.target);
    expect(targets).toEqual(expect.arrayContaining(["docs/API.md", "docs/OPERATIONS.md"]));
  });
});

describe("checkMarkdownLinks", () => {
  let root: string;
  const check = (text: string, file = "docs/guide.md") => checkMarkdownLinks(root, join(root, file), text);

  beforeAll(() => {
    const parent = mkdtempSync(join(tmpdir(), "secapi-links-"));
    root = join(parent, "repo");
    mkdirSync(join(root, "docs"), { recursive: true });
    writeFileSync(join(parent, "outside.md"), "# Outside\n");
    writeFileSync(join(root, "README.md"), "# SecAPI\n\n## Quick start\n\n## Quick start\n");
    writeFileSync(join(root, "docs", "other.md"), "# Other\n\n## `GET /api/v1/scans/:id`\n\n```sh\n# not a heading\n```\n");
  });
  afterAll(() => rmSync(join(root, ".."), { recursive: true, force: true }));

  it("accepts relative links to existing files, folders and headings, and web links", () => {
    const text = [
      "See [the README](../README.md), [other](other.md#get-apiv1scansid), [the second start](../README.md#quick-start-1),",
      "[docs](./), [this](#a-heading) and [the web](https://example.com/x) or <mailto:a@b.c>.",
      "",
      "## A heading",
      "",
      "[ref]: other.md",
    ].join("\n");
    expect(check(text)).toEqual([]);
  });

  it("reports links outside the repository, absolute paths, missing files and missing headings, with their lines", () => {
    const text = [
      "[notes](../../private/NOTES.md)",
      "[outside](../../outside.md) [abs](/etc/hosts)",
      "[gone](missing.md) [bad anchor](other.md#not-there) [local](#nowhere)",
      "[file](file:///etc/hosts)",
      "[ref]: ../nope.md",
    ].join("\n");
    expect(check(text).map(({ line, target, problem }) => ({ line, target, problem }))).toEqual([
      { line: 1, target: "../../private/NOTES.md", problem: "outside the repository" },
      { line: 2, target: "../../outside.md", problem: "outside the repository" },
      { line: 2, target: "/etc/hosts", problem: "an absolute path: link relative to this file" },
      { line: 3, target: "missing.md", problem: "no such file in the repository" },
      { line: 3, target: "other.md#not-there", problem: "no heading with anchor #not-there" },
      { line: 3, target: "#nowhere", problem: "no heading with anchor #nowhere" },
      { line: 4, target: "file:///etc/hosts", problem: "not a web link or a repository path" },
      { line: 5, target: "../nope.md", problem: "no such file in the repository" },
    ]);
    expect(check("[x](../../private/NOTES.md)")[0]?.file).toBe(join("docs", "guide.md"));
  });

  it("ignores what looks like a link inside code", () => {
    const text = ["`[a](missing.md)` and ``[b](gone.md)``, `wrapped", "[c](nope.md)`", "", "```md", "[d](missing.md)", "```"].join("\n");
    expect(check(text)).toEqual([]);
  });
});

describe("headingSlug", () => {
  it.each([
    ["Quick start", "quick-start"],
    ["`GET /api/v1/scans/:id`", "get-apiv1scansid"],
    ["Health, readiness, metrics", "health-readiness-metrics"],
    ["What happens to a request under `/api/v1`, in order", "what-happens-to-a-request-under-apiv1-in-order"],
    ["See [the API](docs/API.md)", "see-the-api"],
    ["Rate-limit headers", "rate-limit-headers"],
  ])("%s → %s", (heading, slug) => {
    expect(headingSlug(heading)).toBe(slug);
  });
});
