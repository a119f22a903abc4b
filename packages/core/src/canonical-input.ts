import { hash } from "node:crypto";

/** JSON with object keys sorted at every depth, so equal inputs serialise to equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** SHA-256 hex of the canonical form: the content address of a scan input. */
export function inputHash(canonicalInput: unknown): string {
  return hash("sha256", canonicalJson(canonicalInput), "hex");
}
