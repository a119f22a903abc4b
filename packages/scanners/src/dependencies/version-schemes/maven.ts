import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

/**
 * Maven's version order, as `org.apache.maven.artifact.versioning.ComparableVersion` (maven-artifact 3.8)
 * implements it and https://maven.apache.org/pom.html#Version_Order_Specification describes it; OSV's
 * `Maven` ecosystem orders by it. Written by hand: no npm package implements ComparableVersion faithfully.
 *
 * A version is a list of items: numbers, qualifiers (strings) and sub-lists, a sub-list starting at each `-`
 * and at each switch between digits and letters (`1.0alpha1` → `1.0-alpha-1`). Trailing "null" items (0,
 * the release qualifier, empty sub-lists) are dropped, so `1.0.0` = `1` and `1-ga` = `1`. Every version
 * string parses; one that is blank or looks like a range or an unresolved property is refused here, since
 * an installed version is never one.
 */
type Item = { kind: "number"; value: bigint } | { kind: "qualifier"; value: string } | { kind: "list"; items: Item[] };

// The known qualifiers in their order; "" is the release. Unknown ones sort after all of them, by code unit.
const QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const ALIASES: Record<string, string> = { ga: "", final: "", release: "", cr: "rc" };
// Before a digit, the single letters are short forms: `a1` = `alpha-1`.
const SHORT_BEFORE_DIGIT: Record<string, string> = { a: "alpha", b: "beta", m: "milestone" };

const NOT_A_VERSION = /\s|[[\](),]|\$\{/;

function qualifier(text: string, followedByDigit: boolean): Item {
  const word = followedByDigit ? (SHORT_BEFORE_DIGIT[text] ?? text) : text;
  return { kind: "qualifier", value: ALIASES[word] ?? word };
}

function numberOrQualifier(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: "number", value: BigInt(text) } : qualifier(text, false);
}

function isNull(item: Item): boolean {
  if (item.kind === "number") return item.value === 0n;
  if (item.kind === "qualifier") return item.value === "";
  return item.items.length === 0;
}

/** Drops trailing null items, but only up to the last non-null non-list item, as ListItem.normalize does. */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as Item;
    if (isNull(item)) list.splice(i, 1);
    else if (item.kind !== "list") break;
  }
}

function parse(version: string): Item[] {
  const text = version.toLowerCase();
  const root: Item[] = [];
  const lists: Item[][] = [root];
  let list = root;
  let isDigit = false;
  let start = 0;
  const openList = () => {
    const next: Item[] = [];
    list.push({ kind: "list", items: next });
    lists.push(next);
    list = next;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "." || c === "-") {
      list.push(i === start ? { kind: "number", value: 0n } : numberOrQualifier(isDigit, text.slice(start, i)));
      start = i + 1;
      if (c === "-") openList();
    } else if (c >= "0" && c <= "9") {
      if (!isDigit && i > start) {
        // `.X1` reads as `-X1`, so 1.0.0.X1 < 1.0.0-X2 (MNG-7559).
        if (list.length > 0) openList();
        list.push(qualifier(text.slice(start, i), true));
        start = i;
        openList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(numberOrQualifier(true, text.slice(start, i)));
        start = i;
        openList();
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    if (!isDigit && list.length > 0) openList();
    list.push(numberOrQualifier(isDigit, text.slice(start)));
  }
  // Innermost first, as Maven pops its stack: an emptied sub-list is then dropped by its parent.
  for (let i = lists.length - 1; i >= 0; i--) normalize(lists[i] as Item[]);
  return root;
}

function qualifierRank(value: string): [number, string] {
  const index = QUALIFIERS.indexOf(value);
  return index === -1 ? [QUALIFIERS.length, value] : [index, ""];
}

function compareQualifiers(a: string, b: string): number {
  const [x, xText] = qualifierRank(a);
  const [y, yText] = qualifierRank(b);
  if (x !== y) return x < y ? -1 : 1;
  return xText === yText ? 0 : xText < yText ? -1 : 1;
}

/** One item against another, or against nothing (the other version has ended): Item.compareTo. */
function compareItem(a: Item, b: Item | undefined): number {
  switch (a.kind) {
    case "number":
      if (b === undefined) return a.value === 0n ? 0 : 1;
      if (b.kind !== "number") return 1; // 1.1 > 1-sp, 1.1 > 1-1
      return a.value === b.value ? 0 : a.value < b.value ? -1 : 1;
    case "qualifier":
      if (b === undefined) return compareQualifiers(a.value, ""); // 1-rc < 1, 1-sp > 1
      if (b.kind !== "qualifier") return -1; // 1.any < 1.1, 1.any < 1-1
      return compareQualifiers(a.value, b.value);
    case "list":
      // Every item counts against nothing, not only the first (MNG-6964): 1-0.1 > 1.
      if (b === undefined) return compareLists(a.items, []);
      if (b.kind === "number") return -1; // 1-1 < 1.1
      if (b.kind === "qualifier") return 1; // 1-1 > 1-sp
      return compareLists(a.items, b.items);
  }
}

function compareLists(a: Item[], b: Item[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    const result = x === undefined ? (y === undefined ? 0 : -compareItem(y, undefined)) : compareItem(x, y);
    if (result !== 0) return result;
  }
  return 0;
}

/**
 * The parsed items, bracketed: equal exactly for the versions that compare equal. Maven's own canonical
 * string is not (`1-0-1` and `1-1` both print `1-1` but differ).
 */
function canonical(items: Item[]): string {
  return `(${items.map((item) => (item.kind === "list" ? canonical(item.items) : item.kind === "number" ? String(item.value) : `'${item.value}`)).join(",")})`;
}

const parseMaven = boundedMemo(VERSION_MEMO_LIMIT, (version): Item[] | null => {
  const trimmed = version.trim();
  return trimmed === "" || NOT_A_VERSION.test(trimmed) ? null : parse(trimmed);
});

/** Maven's ComparableVersion order: OSV `Maven` ranges and installed Maven versions. */
export const mavenScheme: VersionScheme = {
  key: (version) => {
    const items = parseMaven(version);
    return items === null ? null : canonical(items);
  },
  normalize: (version) => (parseMaven(version) === null ? null : version),
  compare: (a, b) => {
    const x = parseMaven(a);
    const y = parseMaven(b);
    return x === null || y === null ? Number.NaN : compareLists(x, y);
  },
};
