import { z } from "zod";

// Lenient where OSV producers differ: unknown fields are ignored, optional fields may be null.
// Strict where matching depends on it: each event names exactly one of the four kinds.

const severityEntrySchema = z.object({ type: z.string(), score: z.string() });

const eventSchema = z
  .object({
    introduced: z.string().min(1).optional(),
    fixed: z.string().min(1).optional(),
    last_affected: z.string().min(1).optional(),
    limit: z.string().min(1).optional(),
  })
  .refine((e) => [e.introduced, e.fixed, e.last_affected, e.limit].filter((v) => v !== undefined).length === 1, {
    message: "an event must have exactly one of introduced, fixed, last_affected, limit",
  });

const rangeSchema = z.object({
  type: z.string(),
  events: z.array(eventSchema).min(1),
});

const affectedSchema = z.object({
  package: z.object({ ecosystem: z.string(), name: z.string().min(1) }).nullish(),
  ranges: z.array(rangeSchema).nullish(),
  versions: z.array(z.string()).nullish(),
  severity: z.array(severityEntrySchema).nullish(),
});

/** The parts of the OSV schema (https://ossf.github.io/osv-schema/) the dependency scanner uses. */
export const osvAdvisorySchema = z.object({
  id: z.string().min(1),
  modified: z.string().min(1),
  published: z.string().nullish(),
  withdrawn: z.string().nullish(),
  aliases: z.array(z.string()).nullish(),
  summary: z.string().nullish(),
  details: z.string().nullish(),
  severity: z.array(severityEntrySchema).nullish(),
  affected: z.array(affectedSchema).nullish(),
  references: z.array(z.object({ type: z.string().nullish(), url: z.string() })).nullish(),
  database_specific: z.record(z.string(), z.unknown()).nullish(),
});

export type OsvAdvisory = z.infer<typeof osvAdvisorySchema>;
export type OsvSeverityEntry = z.infer<typeof severityEntrySchema>;
