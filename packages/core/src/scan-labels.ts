import { z } from "zod";

/** docs/API.md "Labels": at most this many labels on a scan. */
export const MAX_SCAN_LABELS = 16;
/** Longest label value, in characters. */
export const MAX_SCAN_LABEL_VALUE_LENGTH = 200;
/** A label key: lower case, starting with a letter, at most 63 characters (`project`, `ci.job`, `git_ref`). */
export const SCAN_LABEL_KEY = /^[a-z][a-z0-9_.-]{0,62}$/;

const labelKeySchema = z.string().regex(SCAN_LABEL_KEY, "a label key is lower case: a letter, then up to 62 of a-z 0-9 _ . -");
const labelValueSchema = z.string().min(1).max(MAX_SCAN_LABEL_VALUE_LENGTH);

/** A submission's `labels`: up to 16 keys, each value a non-empty string of at most 200 characters. */
export const scanLabelsSchema = z
  .record(labelKeySchema, labelValueSchema)
  .refine((labels) => Object.keys(labels).length <= MAX_SCAN_LABELS, `at most ${MAX_SCAN_LABELS} labels`);

/** Label filters of a list query: every `label.<key>=<value>` parameter, validated like labels. */
export function labelFiltersOf(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(query)
      .filter(([name]) => name.startsWith("label."))
      .map(([name, value]) => [name.slice("label.".length), value]),
  );
}
