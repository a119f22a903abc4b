import { TomlError, parse } from "smol-toml";
import { DependencyInputError } from "../dependency-input-error.js";

/** TOML parse that fails with a DependencyInputError giving the position, without the library's code frame. */
export function parseTomlText(text: string, what: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof TomlError ? ` (line ${error.line}, column ${error.column})` : "";
    throw new DependencyInputError("lockfile_malformed", `${what} is not valid TOML${where}`);
  }
}
