import { type UnstorableText, unstorableReason } from "@secapi/db";

const MAX_ENTRY_CHARS = 200;

/**
 * A scan input whose canonical form (what is scanned and stored) holds a value Postgres cannot store:
 * its run could never succeed. Only values decoded while reading the input get here (a purl's
 * percent-escapes, escapes inside a lockfile); the API refuses raw ones with a 400 before parsing.
 */
export class UnstorableInputError extends Error {
  readonly code = "input_unstorable";
  override readonly name = "UnstorableInputError";

  /** `canonical` is left out of the message for private scan types: their values are never echoed. */
  constructor(typeName: string, found: UnstorableText, canonical: unknown, echo: boolean) {
    super(`${typeName} input: a value read from it ${unstorableReason(found)}${echo ? `: ${where(found, canonical)}` : ""}`);
  }
}

/** The field and the entry that holds it, e.g. `"name" of {"ecosystem":"npm","name":"\u0000","version":"1"}`. */
function where(found: UnstorableText, canonical: unknown): string {
  let entry = canonical;
  for (const key of found.path.slice(0, -1)) entry = (entry as Record<string | number, unknown>)[key];
  const field = found.path.at(-1);
  const json = JSON.stringify(entry) ?? "";
  const shown = json.length > MAX_ENTRY_CHARS ? `${json.slice(0, MAX_ENTRY_CHARS)}…` : json;
  return field === undefined ? shown : `${JSON.stringify(String(field))} of ${shown}`;
}
