import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

/** A segment as rpmvercmp sees it; every other character only separates segments. */
type Segment = { kind: "tilde" } | { kind: "caret" } | { kind: "number"; digits: string } | { kind: "alpha"; text: string };

/** `[epoch:]version[-release]`, version and release as segments. */
interface RpmVersion {
  epoch: string;
  version: Segment[];
  release: Segment[];
}

// rpm forbids `-` in a version and a release (it separates them) and whitespace; `:` only after the epoch.
const EVR = /^(?:(\d+):)?([A-Za-z0-9._+~^]+)(?:-([A-Za-z0-9._+~^]+))?$/;

function segments(part: string): Segment[] {
  const result: Segment[] = [];
  for (const [token] of part.matchAll(/~|\^|\d+|[A-Za-z]+/g)) {
    if (token === "~") result.push({ kind: "tilde" });
    else if (token === "^") result.push({ kind: "caret" });
    else if (/^\d/.test(token)) result.push({ kind: "number", digits: token.replace(/^0+/, "") });
    else result.push({ kind: "alpha", text: token });
  }
  return result;
}

const parseRpm = boundedMemo(VERSION_MEMO_LIMIT, (version): RpmVersion | null => {
  const match = EVR.exec(version);
  if (match === null) return null;
  const [, epoch = "0", main = "", release = ""] = match;
  return { epoch: epoch.replace(/^0+/, ""), version: segments(main), release: segments(release) };
});

function compareStrings(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** rpm's `rpmvercmp` (lib/rpmvercmp.c), segment by segment. */
function rpmvercmp(a: Segment[], b: Segment[]): number {
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    // `~` sorts before everything, the end included.
    if (x?.kind === "tilde" || y?.kind === "tilde") {
      if (x?.kind !== "tilde") return 1;
      if (y?.kind !== "tilde") return -1;
      continue;
    }
    // `^` sorts after the end but before any other segment.
    if (x?.kind === "caret" || y?.kind === "caret") {
      if (x === undefined) return -1;
      if (y === undefined) return 1;
      if (x.kind !== "caret") return 1;
      if (y.kind !== "caret") return -1;
      continue;
    }
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? -1 : 1;
    // A number is newer than letters.
    if (x.kind !== y.kind) return x.kind === "number" ? 1 : -1;
    const order =
      x.kind === "number" && y.kind === "number"
        ? Math.sign(x.digits.length - y.digits.length) || compareStrings(x.digits, y.digits)
        : compareStrings((x as { text: string }).text, (y as { text: string }).text);
    if (order !== 0) return order;
  }
}

function keyOf(parts: Segment[]): string {
  return parts.map((s) => (s.kind === "tilde" ? "~" : s.kind === "caret" ? "^" : s.kind === "number" ? s.digits || "0" : s.text)).join(".");
}

/**
 * rpm version order, as OSV's `Red Hat`, `Rocky Linux` and `AlmaLinux` ranges use it: the epoch numerically
 * (none is 0), then version and release each by `rpmvercmp`: runs of digits (numerically) and of letters
 * (byte order), other characters only separating them, a number newer than letters, `~` before everything
 * (the end included: `1.0~rc1` < `1.0`) and `^` after the end but before anything else (`1.0` < `1.0^git1` < `1.0.1`).
 */
export const rpmScheme: VersionScheme = {
  key: (version) => {
    const parsed = parseRpm(version.trim());
    return parsed === null ? null : `${parsed.epoch || "0"}:${keyOf(parsed.version)}-${keyOf(parsed.release)}`;
  },
  normalize: (version) => (parseRpm(version.trim()) === null ? null : version),
  compare: (a, b) => {
    const x = parseRpm(a.trim());
    const y = parseRpm(b.trim());
    if (x === null || y === null) return Number.NaN;
    return (
      Math.sign(x.epoch.length - y.epoch.length) ||
      compareStrings(x.epoch, y.epoch) ||
      rpmvercmp(x.version, y.version) ||
      rpmvercmp(x.release, y.release)
    );
  },
};
