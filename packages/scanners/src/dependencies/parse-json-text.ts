import { DependencyInputError } from "./dependency-input-error.js";
import type { DependencyInputErrorCode } from "./dependency-input-error.js";

/**
 * JSON.parse that fails with a DependencyInputError giving the line and column, not the engine's
 * message (newer engines quote the input around the error, which may be large or private).
 */
export function parseJsonText(text: string, what: string, code: DependencyInputErrorCode): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
    const where = position === undefined ? "" : ` (${lineAndColumn(text, Number(position))})`;
    throw new DependencyInputError(code, `${what} is not valid JSON${where}`);
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
