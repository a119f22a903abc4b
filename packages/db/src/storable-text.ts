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

/** Node 20 has String.prototype.isWellFormed (ES2024); the ES2023 lib does not declare it. */
type WellFormedString = string & { isWellFormed(): boolean };

/** Where the first character Postgres refuses sits in `text`, or -1. The native checks are the fast path. */
function unstorableOffset(text: string): number {
  if (!text.includes("\u0000") && (text as WellFormedString).isWellFormed()) return -1;
  return text.search(UNSTORABLE);
}

/** A container still to look into; paths are parent links, materialised only for a finding. */
interface Step {
  value: object;
  key: string | number | undefined;
  parent: Step | undefined;
}

function pathOf(step: Step, last: string | number): JsonPath {
  const path: JsonPath = [last];
  for (let at: Step | undefined = step; at !== undefined && at.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * The strings and object keys in `value` that Postgres text or jsonb cannot hold, at most `limit` of them
 * (an object's own keys and strings before those nested deeper). Iterative, so a deeply nested document
 * cannot overflow the stack.
 */
export function findUnstorableText(value: unknown, limit = 20): UnstorableText[] {
  const found: UnstorableText[] = [];
  if (typeof value === "string") {
    const offset = unstorableOffset(value);
    if (offset >= 0) found.push({ path: [], inKey: false, codeUnit: value.charCodeAt(offset), offset });
  }
  if (value === null || typeof value !== "object") return found;
  const pending: Step[] = [{ value, key: undefined, parent: undefined }];
  const children: Step[] = [];
  // One child of `step`: its key (for objects) and, if a string, its value are checked; containers wait.
  const visit = (step: Step, key: string | number, child: unknown) => {
    if (typeof key === "string") {
      const offset = unstorableOffset(key);
      if (offset >= 0) found.push({ path: pathOf(step, key), inKey: true, codeUnit: key.charCodeAt(offset), offset });
    }
    if (typeof child === "string") {
      const offset = unstorableOffset(child);
      if (offset >= 0) found.push({ path: pathOf(step, key), inKey: false, codeUnit: child.charCodeAt(offset), offset });
    } else if (child !== null && typeof child === "object") children.push({ value: child, key, parent: step });
  };
  for (let step = pending.pop(); step !== undefined && found.length < limit; step = pending.pop()) {
    const container = step.value;
    if (Array.isArray(container)) for (let i = 0; i < container.length; i++) visit(step, i, container[i]);
    else for (const key of Object.keys(container)) visit(step, key, (container as Record<string, unknown>)[key]);
    // Reversed onto the stack, so the first child is looked into first.
    while (children.length > 0) pending.push(children.pop() as Step);
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
