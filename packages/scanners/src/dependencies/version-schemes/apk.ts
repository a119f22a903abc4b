import { boundedMemo } from "../bounded-memo.js";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

// Token kinds in apk-tools' order (src/version.c): where two versions differ in kind after equal tokens, the
// one going on with the later kind is the lower version (`1.2` < `1.2.1` < `1.2a` < `1.2_p1` < `1.2-r1`).
const DIGIT_OR_ZERO = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;

// Pre-release suffixes count below a release (negative), the others above it.
const PRE_SUFFIXES = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES = ["cvs", "svn", "git", "hg", "p"];

interface Token {
  kind: number;
  value: number;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";

/** The tokens of an apk version, or null where apk-tools' validation fails. */
const tokenize = boundedMemo(VERSION_MEMO_LIMIT, (version): Token[] | null => {
  const tokens: Token[] = [];
  let kind = DIGIT;
  let i = 0;
  if (version === "") return null;
  while (i < version.length) {
    let value = 0;
    let next: number | undefined;
    switch (kind) {
      case DIGIT_OR_ZERO:
        // A component with leading zeros orders as a decimal fraction: `1.01` < `1.1`, `1.001` < `1.01`.
        if (version[i] === "0") {
          const start = i;
          while (version[i] === "0") i++;
          value = -(i - start);
          next = DIGIT;
        } else {
          const start = i;
          while (isDigit(version[i])) i++;
          if (i === start) return null;
          value = Number(version.slice(start, i));
        }
        break;
      case DIGIT:
      case SUFFIX_NO:
      case REVISION_NO: {
        const start = i;
        while (isDigit(version[i])) i++;
        if (i === start) return null;
        value = Number(version.slice(start, i));
        break;
      }
      case LETTER:
        value = version.charCodeAt(i);
        i++;
        break;
      case SUFFIX: {
        const rest = version.slice(i);
        const pre = PRE_SUFFIXES.findIndex((s) => rest.startsWith(s));
        const post = pre === -1 ? POST_SUFFIXES.findIndex((s) => rest.startsWith(s)) : -1;
        if (pre === -1 && post === -1) return null;
        value = pre !== -1 ? pre - PRE_SUFFIXES.length : post;
        i += (pre !== -1 ? PRE_SUFFIXES[pre] : POST_SUFFIXES[post])?.length ?? 0;
        break;
      }
      case COMMIT_HASH:
        while (i < version.length && /[0-9a-f]/.test(version[i] ?? "")) i++;
        break;
      default:
        return null;
    }
    tokens.push({ kind, value });
    if (i >= version.length) break;
    if (next !== undefined) {
      kind = next;
      continue;
    }
    const following = nextKind(kind, version, i);
    if (following === null) return null;
    [kind, i] = following;
  }
  tokens.push({ kind: END, value: 0 });
  return tokens;
});

/** The kind of the token at `i` (after its separator), as apk-tools' next_token; null for an invalid sequence. */
function nextKind(kind: number, version: string, i: number): [number, number] | null {
  const c = version[i];
  let next: number;
  let at = i;
  if ((kind === DIGIT || kind === DIGIT_OR_ZERO) && c !== undefined && c >= "a" && c <= "z") next = LETTER;
  else if (kind === LETTER && isDigit(c)) next = DIGIT;
  else if (kind === SUFFIX && isDigit(c)) next = SUFFIX_NO;
  else {
    if (c === ".") next = DIGIT_OR_ZERO;
    else if (c === "_") next = SUFFIX;
    else if (c === "~") next = COMMIT_HASH;
    else if (c === "-" && version[i + 1] === "r") {
      next = REVISION_NO;
      at++;
    } else return null;
    at++;
  }
  const allowedBackwards = (next === DIGIT_OR_ZERO && kind === DIGIT) || (next === SUFFIX && kind === SUFFIX_NO) || (next === DIGIT && kind === LETTER);
  if (next < kind && !allowedBackwards) return null;
  return [next, at];
}

function compareTokens(a: Token[], b: Token[]): number {
  for (let i = 0; ; i++) {
    const x = a[i] ?? { kind: END, value: 0 };
    const y = b[i] ?? { kind: END, value: 0 };
    if (x.kind === y.kind && x.value === y.value) {
      if (x.kind === END) return 0;
      continue;
    }
    if (x.kind === y.kind) return Math.sign(x.value - y.value);
    // Equal so far, one goes on with another kind of token: that one is higher unless it is a pre-release suffix.
    if (x.kind === SUFFIX && x.value < 0) return -1;
    if (y.kind === SUFFIX && y.value < 0) return 1;
    return x.kind > y.kind ? -1 : 1;
  }
}

/**
 * apk-tools' version order, as OSV's `Alpine` ranges use it (apk-tools src/version.c,
 * https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/src/version.c): `1.2.3a_rc1-r0` is numbers,
 * an optional letter, suffixes `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p` each
 * with an optional number, an optional `~commit` hash (ignored) and the package revision `-rN`.
 */
export const apkScheme: VersionScheme = {
  key: (version) =>
    tokenize(version.trim())
      ?.map((t) => `${t.kind}:${t.value}`)
      .join(",") ?? null,
  normalize: (version) => (tokenize(version.trim()) === null ? null : version),
  compare: (a, b) => {
    const x = tokenize(a.trim());
    const y = tokenize(b.trim());
    return x === null || y === null ? Number.NaN : compareTokens(x, y);
  },
};
