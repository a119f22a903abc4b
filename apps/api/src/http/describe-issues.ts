import { unsupportedValueCodes } from "@secapi/scanners";
import type { z } from "zod";
import { didYouMean } from "./did-you-mean.js";
import { formatPath } from "./json-path.js";
import { branchFor, schemaAt, valueAt } from "./schema-at-path.js";
import { objectFields } from "./schema-shape.js";
import { chooseUnionBranch } from "./union-branch.js";

/** One problem with a request, as the client can act on it: `{path: "input.format", message: "..."}`. */
export interface IssueReport {
  path: string;
  message: string;
  /**
   * Set when the issue is a value outside a closed set of what SecAPI reads (an ecosystem, a lockfile format:
   * `unsupportedValueCodes`): the error code that makes the refusal a 422. Not part of the answer's `issues`.
   */
  unsupported?: string;
}

/** What the issues are about: the schema and the value it refused, and the name paths start from. */
export interface IssueContext {
  schema: z.core.$ZodType;
  value: unknown;
  /** Prefix of every path, e.g. `input`; empty for a whole request body. */
  root: string;
}

const MAX_ECHOED_CHARS = 40;
const MAX_LISTED_VALUES = 30;

/**
 * Zod issues as messages that say what is wrong and where. A union reports the problems of the branch the
 * input's fields choose (not zod's opaque "Invalid input"); closed sets and unknown fields suggest the
 * nearest valid spelling. Only a value refused by a closed set (an enum) is echoed, shortened: a secret
 * sits in free-text fields, which are never echoed.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], context: IssueContext, base: PropertyKey[] = []): IssueReport[] {
  return issues.flatMap((issue) => describeIssue(issue, context, [...base, ...issue.path]));
}

function describeIssue(issue: z.core.$ZodIssue, context: IssueContext, path: PropertyKey[]): IssueReport[] {
  const at = (message: string): IssueReport => ({ path: formatPath(context.root, path), message });
  const value = valueAt(context.value, path);
  switch (issue.code) {
    case "invalid_union":
      return describeUnion(issue, context, path);
    case "unrecognized_keys": {
      const schema = schemaAt(context.schema, context.value, path);
      const known = objectFields(schema && branchFor(schema, value))?.all ?? [];
      const sent = value !== null && typeof value === "object" ? Object.keys(value) : [];
      const unsent = known.filter((key) => !sent.includes(key));
      return issue.keys.map((key) => at(unknownFieldMessage(key, didYouMean(key, unsent))));
    }
    case "invalid_value": {
      const missing = isMissing(context.value, path);
      const report = at(notOneOf(issue.values, value, missing));
      const schema = missing ? undefined : schemaAt(context.schema, context.value, path);
      const unsupported = schema === undefined ? undefined : unsupportedValueCodes.get(schema)?.code;
      return [unsupported === undefined ? report : { ...report, unsupported }];
    }
    case "invalid_type":
      return [
        at(
          isMissing(context.value, path)
            ? `required (${expectedKind(issue.expected)})`
            : `expected ${expectedKind(issue.expected)}, received ${kindOf(value)}`,
        ),
      ];
    default:
      return [at(issue.message)];
  }
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion, context: IssueContext, path: PropertyKey[]): IssueReport[] {
  const at = (message: string): IssueReport => ({ path: formatPath(context.root, path), message });
  const union = schemaAt(context.schema, context.value, path);
  const options = union ? unionOptions(union) : undefined;
  const value = valueAt(context.value, path);
  const choice = options ? chooseUnionBranch(options, value) : ({ kind: "unkeyed" } as const);
  switch (choice.kind) {
    case "chosen":
      return describeIssues(issue.errors[choice.index] ?? [], context, path);
    case "several":
      return [at(`fields ${quoteAll(choice.sent.flat()).join(", ")} belong to different forms; send ${formsText(choice.forms)}`)];
    case "none": {
      const unknown = Object.keys(value as object).map((key) => ({ key, suggestion: didYouMean(key, choice.fields) }));
      // A suggestion says it all; without one, the client needs to know which fields the forms have.
      const expected = unknown.some((u) => u.suggestion !== undefined) ? [] : [at(`expected ${formsText(choice.forms)}`)];
      return [...unknown.map((u) => at(unknownFieldMessage(u.key, u.suggestion))), ...expected];
    }
    case "unkeyed":
      return describeIssues(closestBranch(issue.errors), context, path);
  }
}

/** For branches that fields cannot tell apart: the one the input got furthest into. */
function closestBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] {
  const depth = (issues: readonly z.core.$ZodIssue[]) => Math.max(0, ...issues.map((i) => i.path.length));
  return [...branches].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0] ?? [];
}

function unionOptions(schema: z.core.$ZodType): readonly z.core.$ZodType[] | undefined {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  return def.type === "union" ? def.options : undefined;
}

function unknownFieldMessage(key: string, suggestion: string | undefined): string {
  return `unknown field ${JSON.stringify(key)}${suggestion === undefined ? "" : ` (did you mean ${JSON.stringify(suggestion)}?)`}`;
}

function notOneOf(values: readonly unknown[], value: unknown, missing: boolean): string {
  const listed = values.slice(0, MAX_LISTED_VALUES).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  const list = `${listed.join(", ")}${values.length > MAX_LISTED_VALUES ? ", …" : ""}`;
  if (missing) return `required; one of ${list}`;
  const strings = values.filter((v): v is string => typeof v === "string");
  const suggestion = typeof value === "string" ? didYouMean(value, strings) : undefined;
  return suggestion === undefined
    ? `${echo(value)} is not supported; supported: ${list}`
    : `${echo(value)} is not one of ${list}; did you mean ${JSON.stringify(suggestion)}?`;
}

function echo(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_ECHOED_CHARS ? `${text.slice(0, MAX_ECHOED_CHARS)}…` : text;
}

function formsText(forms: readonly (readonly string[])[]): string {
  return forms.map((keys) => quoteAll(keys).join(" and ")).join(", or ");
}

const quoteAll = (keys: readonly string[]) => keys.map((key) => JSON.stringify(key));

function isMissing(root: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return root === undefined;
  const parent = valueAt(root, path.slice(0, -1));
  const key = path.at(-1);
  return parent !== null && typeof parent === "object" && !Array.isArray(parent) && typeof key === "string" && !Object.hasOwn(parent, key);
}

/** Zod's names, as JSON names them (a record is an object). */
const expectedKind = (expected: string) => (expected === "record" ? "object" : expected);

function kindOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}
