import { readFileSync } from "node:fs";
import { REPO_ROOT } from "./template-database.js";

/** A table row: `| a | b |`, cells split on pipes that are not escaped (`\|` stays inside a cell). */
const TABLE_ROW = /^\|(.*)\|\s*$/;

function cellsOf(line: string): string[] {
  const inner = TABLE_ROW.exec(line)![1]!;
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replaceAll("\\|", "|"));
}

/**
 * The body rows of the first table under a heading of a file in docs/ (or any repository path), as cells.
 * Tests compare these with the code, so the documentation is checked rather than copied into the tests.
 */
export function docsTable(path: string, heading: string): string[][] {
  const lines = readFileSync(`${REPO_ROOT}${path}`, "utf8").split("\n");
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, "").trim() === heading);
  if (start < 0) throw new Error(`${path} has no heading "${heading}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#+ /.test(line)) break;
    if (TABLE_ROW.test(line)) rows.push(cellsOf(line));
    else if (rows.length > 0) break;
  }
  const [, separator, ...body] = rows;
  if (!separator?.every((cell) => /^:?-+:?$/.test(cell)) || body.length === 0) {
    throw new Error(`${path} "${heading}" has no table`);
  }
  return body;
}

/** The `code spans` of a cell, e.g. the names in "`HTTPS_PROXY` / `HTTP_PROXY`". */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
}
