import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

// Composer\Semver\VersionParser: the stability modifier after a classical or date version.
const MODIFIER = String.raw`[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?`;
const CLASSICAL = new RegExp(String.raw`^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?${MODIFIER}$`, "i");
const DATE_BASED = new RegExp(String.raw`^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})${MODIFIER}$`, "i");

const STABILITY: Record<string, string> = {
  a: "alpha",
  alpha: "alpha",
  b: "beta",
  beta: "beta",
  p: "patch",
  pl: "patch",
  patch: "patch",
  rc: "RC",
};

/**
 * VersionParser::normalize for released versions: `v1.2` → `1.2.0.0`, `1.0.0-b2` → `1.0.0.0-beta2`,
 * `2024.01.15` → `2024.01.15`. Branches (`dev-main`, `1.x-dev`) are not versions of a release: null.
 */
function normalizeComposer(input: string): string | null {
  const version = input.trim().replace(/^([^,\s+]+)\+\S+$/, "$1");
  if (/^dev-|\.x-dev$|\.\*-dev$/i.test(version)) return null;
  const classical = CLASSICAL.exec(version);
  if (classical !== null) {
    const numbers = [classical[1], classical[2], classical[3], classical[4]].map((n) => (n === undefined ? "0" : n.replace(/^\./, "")));
    return numbers.join(".") + modifier(classical[5], classical[6], classical[7]);
  }
  const dated = DATE_BASED.exec(version);
  if (dated !== null) return (dated[1] ?? "").replace(/\D/g, ".") + modifier(dated[2], dated[3], dated[4]);
  return null;
}

function modifier(stability: string | undefined, numbers: string | undefined, dev: string | undefined): string {
  let suffix = "";
  if (stability !== undefined && stability.toLowerCase() !== "stable") {
    suffix = `-${STABILITY[stability.toLowerCase()] ?? stability}${(numbers ?? "").replace(/^[.-]+/, "")}`;
  }
  return dev === undefined ? suffix : `${suffix}-dev`;
}

// PHP's version_compare special forms (ext/standard/versioning.c), matched as prefixes; any other word is below all.
const SPECIAL_FORMS: [string, number][] = [
  ["dev", 0],
  ["alpha", 1],
  ["a", 1],
  ["beta", 2],
  ["b", 2],
  ["RC", 3],
  ["rc", 3],
  ["#", 4],
  ["pl", 5],
  ["p", 5],
];
const NUMBER_FORM = 4;

function specialForm(part: string): number {
  return SPECIAL_FORMS.find(([name]) => part.startsWith(name))?.[1] ?? -6;
}

/** php_canonicalize_version: `-`, `_`, `+` and other punctuation become `.`, and so does every letter/digit boundary. */
function phpParts(version: string): string[] {
  let canonical = version[0] ?? "";
  for (let i = 1; i < version.length; i++) {
    const [previous = "", c = ""] = [version[i - 1], version[i]];
    const isDigit = (x: string) => x >= "0" && x <= "9";
    const isNonDigit = (x: string) => !isDigit(x) && x !== ".";
    if (!/[A-Za-z0-9]/.test(c)) {
      if (!canonical.endsWith(".")) canonical += ".";
    } else if ((isNonDigit(previous) && isDigit(c)) || (isDigit(previous) && isNonDigit(c))) {
      if (!canonical.endsWith(".")) canonical += ".";
      canonical += c;
    } else canonical += c;
  }
  return canonical.split(".");
}

function comparePart(a: string, b: string): number {
  const digitA = /^\d/.test(a);
  const digitB = /^\d/.test(b);
  if (digitA && digitB) {
    const [x, y] = [a.replace(/^0+(?=\d)/, ""), b.replace(/^0+(?=\d)/, "")];
    return x.length !== y.length ? Math.sign(x.length - y.length) : x === y ? 0 : x < y ? -1 : 1;
  }
  return Math.sign((digitA ? NUMBER_FORM : specialForm(a)) - (digitB ? NUMBER_FORM : specialForm(b)));
}

/** PHP's version_compare on two normalised versions; the longer one's first extra part decides against a number. */
function phpVersionCompare(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const order = comparePart(a[i] ?? "", b[i] ?? "");
    if (order !== 0) return order;
  }
  if (a.length === b.length) return 0;
  const longer = a.length > b.length ? 1 : -1;
  const extra = (a.length > b.length ? a : b)[Math.min(a.length, b.length)] ?? "";
  const extraOrder = /^\d/.test(extra) ? 1 : Math.sign(specialForm(extra) - NUMBER_FORM);
  return longer * extraOrder;
}

const parseComposer = boundedMemo(VERSION_MEMO_LIMIT, (version): string[] | null => {
  const normalized = normalizeComposer(version);
  return normalized === null ? null : phpParts(normalized);
});

/**
 * Composer's order (https://getcomposer.org/doc/articles/versions.md), as OSV's `Packagist` ranges use it:
 * Composer\Semver\VersionParser::normalize (four numeric parts, leading `v` and build metadata dropped,
 * stabilities spelled out) and then PHP's version_compare, so `-dev < -alpha < -beta < -RC < stable < -patch`.
 * Branches (`dev-main`) do not parse.
 */
export const composerScheme: VersionScheme = {
  key: (version) =>
    parseComposer(version.trim())
      ?.map((part) => (/^\d/.test(part) ? part.replace(/^0+(?=\d)/, "") : `~${specialForm(part)}`))
      .join(".") ?? null,
  normalize: (version) => (parseComposer(version.trim()) === null ? null : version),
  compare: (a, b) => {
    const x = parseComposer(a.trim());
    const y = parseComposer(b.trim());
    return x === null || y === null ? Number.NaN : phpVersionCompare(x, y);
  },
};
