import type { z } from "zod";
import { isJsonObject, unwrapSchema } from "./schema-shape.js";
import { chooseUnionBranch } from "./union-branch.js";

/** The part of `value` at `path`, or undefined where the path leads nowhere. */
export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isJsonObject(current) && typeof segment === "string" && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

/**
 * The schema that validates the part of `value` at `path` (a union there is returned as is), following
 * unions on the way into the branch the input's fields choose; undefined where it cannot be told.
 */
export function schemaAt(schema: z.core.$ZodType, value: unknown, path: readonly PropertyKey[]): z.core.$ZodType | undefined {
  let current: z.core.$ZodType | undefined = schema;
  for (let i = 0; i < path.length && current !== undefined; i++) {
    const segment = path[i];
    const resolved = branchFor(current, valueAt(value, path.slice(0, i)));
    if (resolved === undefined) return undefined;
    const def = unwrapSchema(resolved)._zod.def;
    let child: z.core.$ZodType | undefined;
    if (def.type === "object") child = typeof segment === "string" ? (def.shape[segment] ?? def.catchall) : undefined;
    else if (def.type === "array") child = def.element;
    else if (def.type === "record") child = def.valueType;
    else if (def.type === "tuple") child = typeof segment === "number" ? (def.items[segment] ?? def.rest ?? undefined) : undefined;
    current = child;
  }
  return current;
}

/** `schema` itself, or for a union the branch `value` chooses by its fields (undefined if it chooses none). */
export function branchFor(schema: z.core.$ZodType, value: unknown): z.core.$ZodType | undefined {
  const unwrapped = unwrapSchema(schema);
  if (unwrapped._zod.def.type !== "union") return schema;
  const options = unwrapped._zod.def.options;
  const choice = chooseUnionBranch(options, value);
  return choice.kind === "chosen" ? branchFor(options[choice.index] as z.core.$ZodType, value) : undefined;
}
