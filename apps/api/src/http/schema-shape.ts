import type { z } from "zod";

type AnySchema = z.core.$ZodType;
type KnownSchema = z.core.$ZodTypes;

/** Enough for any schema written by hand; only a self-referencing lazy schema could need more. */
const MAX_UNWRAP = 32;

/** `schema` without the wrappers that do not change which JSON it accepts (optional, default, pipe, lazy...). */
export function unwrapSchema(schema: AnySchema): KnownSchema {
  let current = schema as KnownSchema;
  for (let i = 0; i < MAX_UNWRAP; i++) {
    const def = current._zod.def;
    switch (def.type) {
      case "optional":
      case "nullable":
      case "default":
      case "prefault":
      case "readonly":
      case "catch":
      case "nonoptional":
      case "success":
        current = def.innerType as KnownSchema;
        break;
      case "pipe":
        current = def.in as KnownSchema;
        break;
      case "lazy":
        current = def.getter() as KnownSchema;
        break;
      default:
        return current;
    }
  }
  return current;
}

/** The fields an object schema names, or undefined if `schema` is not (or not known to be) an object schema. */
export function objectFields(schema: AnySchema | undefined): { all: string[]; required: string[] } | undefined {
  if (schema === undefined) return undefined;
  const object = unwrapSchema(schema);
  if (object._zod.def.type !== "object") return undefined;
  const shape = object._zod.def.shape as Record<string, AnySchema>;
  const all = Object.keys(shape);
  return { all, required: all.filter((key) => shape[key]?._zod.optin !== "optional") };
}

/** Whether `value` is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
