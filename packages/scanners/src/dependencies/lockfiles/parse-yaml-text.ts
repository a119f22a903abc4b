import { parse } from "yaml";
import { DependencyInputError } from "../dependency-input-error.js";

/** YAML parse that fails with a DependencyInputError giving the position, without the library's code frame. */
export function parseYamlText(text: string, what: string): unknown {
  try {
    // Aliases are capped (the library's default, stated) so a small input cannot expand without bound;
    // warnings (e.g. a mapping used as a key) would go to the process log, so only errors are raised.
    return parse(text, { maxAliasCount: 100, logLevel: "error" }) as unknown;
  } catch (error) {
    const firstLine = (error instanceof Error ? error.message : "").split("\n")[0] ?? "";
    const where = /at line \d+, column \d+/.exec(firstLine)?.[0];
    throw new DependencyInputError("lockfile_malformed", `${what} is not valid YAML${where === undefined ? "" : ` (${where})`}`);
  }
}
