/** A place in a JSON value: object keys and array indexes from the root. */
export type JsonPath = (string | number)[];

/** A string, or an object key, that Postgres would refuse to store. */
export interface UnstorableText {
  path: JsonPath;
  /** The object key at `path` is the culprit, not the value. */
  inKey: boolean;
  /** The offending code unit, e.g. 0x0000 or 0xd800. */
  codeUnit: number;
  /** 0-based offset (UTF-16 code units) of the first offending character in the string. */
  offset: number;
}

// Postgres text refuses U+0000 (0x00 in UTF-8); jsonb refuses `\u0000` and unpaired surrogate escapes
// (`\ud800`), which is what JSON.stringify writes for a lone surrogate. In `u` mode \p{Cs} matches only
// unpaired surrogates: a well-formed pair is one code point.
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what is looked for
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** A step of the walk; paths are parent links, materialised only for a finding (deep input stays linear). */
interface Step {
  value: unknown;
  key: string | number | undefined;
  parent: Step | undefined;
}

function pathOf(step: Step | undefined, last?: string): JsonPath {
  const path: JsonPath = last === undefined ? [] : [last];
  for (let at = step; at !== undefined && at.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * The strings and object keys in `value` that Postgres text or jsonb cannot hold, in document order, at
 * most `limit` of them. Iterative, so a deeply nested document cannot overflow the stack.
 */
export function findUnstorableText(value: unknown, limit = 20): UnstorableText[] {
  const found: UnstorableText[] = [];
  const report = (text: string, path: () => JsonPath, inKey: boolean) => {
    const match = UNSTORABLE.exec(text);
    if (match) found.push({ path: path(), inKey, codeUnit: match[0].charCodeAt(0), offset: match.index });
  };
  const pending: Step[] = [{ value, key: undefined, parent: undefined }];
  for (let step = pending.pop(); step !== undefined && found.length < limit; step = pending.pop()) {
    const current = step.value;
    if (typeof current === "string") report(current, () => pathOf(step), false);
    else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) pending.push({ value: current[i], key: i, parent: step });
    } else if (current !== null && typeof current === "object") {
      const entries = Object.entries(current);
      for (const [key] of entries) report(key, () => pathOf(step, key), true);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        pending.push({ value: child, key, parent: step });
      }
    }
  }
  return found.slice(0, limit);
}

/** Why `found` cannot be stored, e.g. `contains U+0000 (NUL) at character 3, which cannot be stored (…)`. */
export function unstorableReason(found: UnstorableText): string {
  const what =
    found.codeUnit === 0
      ? "U+0000 (NUL)"
      : `an unpaired UTF-16 surrogate (U+${found.codeUnit.toString(16).toUpperCase().padStart(4, "0")})`;
  return `${found.inKey ? "key " : ""}contains ${what} at character ${found.offset + 1}, which cannot be stored (Postgres text and jsonb refuse it)`;
}
