import { parse, TomlError } from "smol-toml";
import { DependencyInputError } from "../dependency-input-error.js";

/** TOML parse that fails with a DependencyInputError giving the position, without the library's code frame. */
export function parseTomlText(text: string, what: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    throw new DependencyInputError("lockfile_malformed", `${what} is not valid TOML (line ${error.line}, column ${error.column})`);
  }
}
