import { z } from "zod";
import { findingRefSchema } from "./event-schemas.js";

const quotaNotification = z.object({
  id: z.uuid(),
  type: z.enum(["quota.exhausted", "quota.reset"]),
  user_id: z.uuid(),
  window: z.string(),
  limit: z.number().int().positive(),
  reset_at: z.iso.datetime(),
  occurred_at: z.iso.datetime(),
});

/** `scan.findings_changed` as one user receives it: only that user's scans of the changed result. */
const findingsChangedNotification = z.object({
  id: z.uuid(),
  type: z.literal("scan.findings_changed"),
  user_id: z.uuid(),
  /** The `scan.findings_changed` event this notice comes from (one notice per user per event). */
  event_id: z.uuid(),
  scan_ids: z.array(z.uuid()).min(1),
  added: z.array(findingRefSchema),
  removed: z.array(findingRefSchema),
  occurred_at: z.iso.datetime(),
});

/** A notification to POST to a user's webhook (queue `webhooks`): quota notices and findings changes. */
export const webhookJobSchema = z.discriminatedUnion("type", [quotaNotification, findingsChangedNotification]);
export type WebhookNotification = z.infer<typeof webhookJobSchema>;
export type QuotaNotification = z.infer<typeof quotaNotification>;
export type FindingsChangedNotification = z.infer<typeof findingsChangedNotification>;
