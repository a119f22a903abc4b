import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

/** `[epoch:]upstream[-revision]`, each part split into alternating non-digit and digit runs. */
interface DpkgVersion {
  epoch: string;
  upstream: Run[];
  revision: Run[];
}

/** One non-digit run and the number after it (digits without leading zeros, "" for none = 0). */
type Run = [text: string, digits: string];

// Policy: upstream starts with a digit and holds alphanumerics and . + - ~ (the `-` only with a revision, a
// `:` only with an epoch); dpkg itself accepts a letter first with a warning, so only the characters are checked.
const DPKG_VERSION = /^(?:(\d+):)?([A-Za-z0-9][A-Za-z0-9.+~:-]*?)(?:-([A-Za-z0-9.+~]+))?$/;

const parseDpkg = boundedMemo(VERSION_MEMO_LIMIT, (version): DpkgVersion | null => {
  const match = DPKG_VERSION.exec(version);
  if (match === null) return null;
  const [, epoch = "0", upstream = "", revision = ""] = match;
  // A colon in the upstream part needs an epoch; without one it would have been read as the epoch.
  if (match[1] === undefined && upstream.includes(":")) return null;
  return { epoch: withoutLeadingZeros(epoch), upstream: runs(upstream), revision: runs(revision) };
});

function withoutLeadingZeros(digits: string): string {
  return digits.replace(/^0+/, "");
}

// A missing run compares as an empty one with the number 0, so trailing ("", 0) runs change nothing.
function runs(part: string): Run[] {
  const result: Run[] = [];
  for (const [, text = "", digits = ""] of part.matchAll(/(\D*)(\d*)/g)) {
    if (text === "" && digits === "" && result.length > 0) continue;
    result.push([text, withoutLeadingZeros(digits)]);
  }
  while (result.length > 0 && result.at(-1)?.[0] === "" && result.at(-1)?.[1] === "") result.pop();
  return result;
}

/** dpkg's character weight: `~` below the end of the string, letters below every other character. */
function weight(code: number | undefined): number {
  if (code === undefined) return 0;
  if (code === 0x7e) return -1;
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return code;
  return code + 256;
}

function compareText(a: string, b: string): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = weight(a.charCodeAt(i) || undefined) - weight(b.charCodeAt(i) || undefined);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return Math.sign(a.length - b.length);
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareRuns(a: Run[], b: Run[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [textA = "", digitsA = ""] = a[i] ?? [];
    const [textB = "", digitsB = ""] = b[i] ?? [];
    const order = compareText(textA, textB) || compareDigits(digitsA, digitsB);
    if (order !== 0) return order;
  }
  return 0;
}

function keyOf(version: DpkgVersion): string {
  const part = (runs: Run[]) => runs.map(([text, digits]) => `${text}${digits || "0"}`).join("");
  return `${version.epoch || "0"}:${part(version.upstream)}-${part(version.revision)}`;
}

/**
 * dpkg version order, as OSV's `Debian` ranges use it
 * (https://www.debian.org/doc/debian-policy/ch-controlfields.html#version): epoch numerically, then upstream
 * and revision compared run by run, non-digit runs character by character with `~` before everything (even
 * the end) and letters before other characters, digit runs numerically. A missing revision equals `0`.
 */
export const dpkgScheme: VersionScheme = {
  key: (version) => {
    const parsed = parseDpkg(version.trim());
    return parsed === null ? null : keyOf(parsed);
  },
  normalize: (version) => (parseDpkg(version.trim()) === null ? null : version),
  compare: (a, b) => {
    const x = parseDpkg(a.trim());
    const y = parseDpkg(b.trim());
    if (x === null || y === null) return Number.NaN;
    return compareDigits(x.epoch, y.epoch) || compareRuns(x.upstream, y.upstream) || compareRuns(x.revision, y.revision);
  },
};
