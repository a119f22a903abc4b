const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A path as a client writes it in JavaScript: `input.packages[3].ecosystem`, `input.sbom["@context"]`.
 * Keys that are not identifiers are JSON-quoted, so a control character in a key shows as an escape.
 * The empty path with no root is the whole body: `(body)`.
 */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let text = root;
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (typeof segment === "string" && IDENTIFIER.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text === "" ? "(body)" : text;
}
