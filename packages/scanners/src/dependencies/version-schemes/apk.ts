import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

// Token kinds in apk-tools' order (src/version.c): where two versions differ in kind after equal tokens, the
// one going on with the later kind is the lower version (`1.2` < `1.2.1` < `1.2a` < `1.2_p1` < `1.2-r1`).
const INITIAL_DIGIT = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const COMMIT_HASH = 5;
const REVISION_NO = 6;
const END = 7;

// Suffix ranks; below NONE is a pre-release, which sorts below the version without it.
const SUFFIXES: Record<string, number> = { alpha: 0, beta: 1, pre: 2, rc: 3, cvs: 5, svn: 6, git: 7, hg: 8, p: 9 };
const NONE = 4;

interface Token {
  kind: number;
  /** Digits as written (numbers), the letter, the suffix rank, the commit hash. */
  text: string;
}

// The kinds each separator may follow (token_next): a letter only after digits, `_` before a hash or revision…
const TOKEN = /^(?:\.(\d+)|(\d+)|([a-z])|_([a-z]*)|~([0-9a-f]+)|-r(\d+))/;

/** The tokens of an apk version, or null where apk-tools' validation fails. */
const tokenize = boundedMemo(VERSION_MEMO_LIMIT, (version): Token[] | null => {
  const first = /^\d+/.exec(version)?.[0];
  if (first === undefined) return null;
  const tokens: Token[] = [{ kind: INITIAL_DIGIT, text: first }];
  let rest = version.slice(first.length);
  let kind = INITIAL_DIGIT;
  while (rest !== "") {
    const match = TOKEN.exec(rest);
    if (match === null) return null;
    const [whole, dotted, digits, letter, suffix, hash, revision] = match;
    let next: Token;
    if (dotted !== undefined && kind <= DIGIT) next = { kind: DIGIT, text: dotted };
    else if (digits !== undefined && kind === SUFFIX) next = { kind: SUFFIX_NO, text: digits };
    else if (letter !== undefined && kind <= DIGIT) next = { kind: LETTER, text: letter };
    else if (suffix !== undefined && kind <= SUFFIX_NO && SUFFIXES[suffix] !== undefined)
      next = { kind: SUFFIX, text: String(SUFFIXES[suffix]) };
    else if (hash !== undefined && kind < COMMIT_HASH) next = { kind: COMMIT_HASH, text: hash };
    else if (revision !== undefined && kind < REVISION_NO) next = { kind: REVISION_NO, text: revision };
    else return null;
    tokens.push(next);
    kind = next.kind;
    rest = rest.slice(whole.length);
  }
  return tokens;
});

function compareNumbers(a: string, b: string): number {
  const [x, y] = [a.replace(/^0+(?=\d)/, ""), b.replace(/^0+(?=\d)/, "")];
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x === y ? 0 : x < y ? -1 : 1;
}

// apk_blob_sort: byte order, then the shorter first.
function compareBytes(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

/** token_cmp: numbers numerically, but a later number with a leading zero on either side as text (`1.01` < `1.1`). */
function compareToken(a: Token, b: Token): number {
  switch (a.kind) {
    case DIGIT:
      return a.text.startsWith("0") || b.text.startsWith("0") ? compareBytes(a.text, b.text) : compareNumbers(a.text, b.text);
    case INITIAL_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
    case SUFFIX:
      return compareNumbers(a.text, b.text);
    default:
      return compareBytes(a.text, b.text);
  }
}

function compareTokens(a: Token[], b: Token[]): number {
  let i = 0;
  for (; i < a.length && i < b.length && a[i]?.kind === b[i]?.kind; i++) {
    const order = compareToken(a[i] as Token, b[i] as Token);
    if (order !== 0) return order;
  }
  const x = a[i] ?? { kind: END, text: "" };
  const y = b[i] ?? { kind: END, text: "" };
  if (x.kind === y.kind) return 0;
  // Equal so far, one goes on with another kind of token: that one is higher unless it is a pre-release suffix.
  if (x.kind === SUFFIX && Number(x.text) < NONE) return -1;
  if (y.kind === SUFFIX && Number(y.text) < NONE) return 1;
  return x.kind > y.kind ? -1 : 1;
}

/** Equal keys for equal versions: numbers compared as numbers lose their leading zeros (only the first, elsewhere a zero is text). */
function keyOf(tokens: Token[]): string {
  return tokens
    .map((t) => {
      const numeric =
        t.kind === INITIAL_DIGIT || t.kind === SUFFIX_NO || t.kind === REVISION_NO || (t.kind === DIGIT && !t.text.startsWith("0"));
      return `${t.kind}:${numeric ? t.text.replace(/^0+(?=\d)/, "") : t.text}`;
    })
    .join(",");
}

/**
 * apk-tools' version order, as OSV's `Alpine` ranges use it (apk-tools src/version.c,
 * https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/src/version.c): `digit{.digit}…{letter}
 * {_suffix{number}}…{~hash}{-rN}`, suffixes `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg
 * < _p`. A version that goes on where the other ends is higher (`1.2.3-r0` > `1.2.3`) unless it goes on with
 * a pre-release suffix.
 */
export const apkScheme: VersionScheme = {
  key: (version) => {
    const tokens = tokenize(version.trim());
    return tokens === null ? null : keyOf(tokens);
  },
  normalize: (version) => (tokenize(version.trim()) === null ? null : version),
  compare: (a, b) => {
    const x = tokenize(a.trim());
    const y = tokenize(b.trim());
    return x === null || y === null ? Number.NaN : compareTokens(x, y);
  },
};
