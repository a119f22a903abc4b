import type { z } from "zod";
import { isJsonObject, objectFields } from "./schema-shape.js";

/**
 * Which form of a union of objects an input meant, told by the fields it sends:
 * - `chosen`: its fields belong to one form only (e.g. `packages` → the package list form);
 * - `none`: it sends no field of any form (a typo such as `package`);
 * - `several`: it mixes fields that belong to different forms;
 * - `unkeyed`: the forms cannot be told apart by fields (not objects, or the input is not an object).
 */
export type UnionChoice =
  | { kind: "chosen"; index: number }
  | { kind: "none"; forms: string[][]; fields: string[] }
  | { kind: "several"; forms: string[][]; sent: string[][] }
  | { kind: "unkeyed" };

/** Chooses the union branch an input meant by its fields: only that branch's problems are worth reporting. */
export function chooseUnionBranch(options: readonly z.core.$ZodType[], value: unknown): UnionChoice {
  const shapes = options.map((option) => objectFields(option));
  if (!isJsonObject(value) || shapes.some((shape) => shape === undefined)) return { kind: "unkeyed" };
  const fieldsOf = shapes as { all: string[]; required: string[] }[];
  const sentKeys = Object.keys(value);
  // A field that only one form has identifies that form; fields several forms share identify nothing.
  const sentOwn = fieldsOf.map((shape, i) =>
    sentKeys.filter((key) => shape.all.includes(key) && fieldsOf.every((other, j) => j === i || !other.all.includes(key))),
  );
  const hits = sentOwn.flatMap((sent, index) => (sent.length > 0 ? [index] : []));
  const forms = fieldsOf.map((shape) => (shape.required.length > 0 ? shape.required : shape.all));
  if (hits.length === 1) return { kind: "chosen", index: hits[0] as number };
  if (hits.length > 1)
    return { kind: "several", forms: hits.map((i) => forms[i] as string[]), sent: hits.map((i) => sentOwn[i] as string[]) };
  const fields = [...new Set(fieldsOf.flatMap((shape) => shape.all))];
  return sentKeys.some((key) => fields.includes(key)) ? { kind: "unkeyed" } : { kind: "none", forms, fields };
}
