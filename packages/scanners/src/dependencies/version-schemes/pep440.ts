import { compare as comparePep440, explain as explainPep440 } from "@renovatebot/pep440";
import { boundedMemo } from "@secapi/toolkit";
import { VERSION_MEMO_LIMIT } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

/** PEP 440 key: release without trailing zeros (1.0 == 1.0.0), normalised pre/post/dev/local parts. */
const pep440Key = boundedMemo(VERSION_MEMO_LIMIT, (version): string | null => {
  const parts = explainPep440(version.trim());
  if (parts === null) return null;
  const release = [...parts.release];
  while (release.length > 1 && release.at(-1) === 0) release.pop();
  const pre = segment("", parts.pre);
  const post = segment(".post", parts.post);
  const dev = segment(".dev", parts.dev);
  const local = parts.local === null ? "" : `+${parts.local}`;
  return `${parts.epoch}!${release.join(".")}${pre}${post}${dev}${local}`;
});

// The library's types say arrays; at runtime pre is ["rc", 1] and post/dev are plain numbers.
function segment(prefix: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  return prefix + (Array.isArray(value) ? value.join("") : String(value));
}

// The library parses both versions on every call, hence the memo by pair.
const comparePep440Pair = boundedMemo(VERSION_MEMO_LIMIT, (pair) => {
  const [a = "", b = ""] = pair.split("\u0000");
  try {
    return comparePep440(a, b);
  } catch {
    // The library throws on a version it cannot parse.
    return Number.NaN;
  }
});

/** PEP 440 (`@renovatebot/pep440`): PyPI's `ECOSYSTEM` ranges and installed versions. */
export const pep440Scheme: VersionScheme = {
  key: pep440Key,
  // PEP 440 itself reads `1` and `v1.2`.
  normalize: (version) => (pep440Key(version) === null ? null : version),
  compare: (a, b) => comparePep440Pair(`${a.trim()}\u0000${b.trim()}`),
};
