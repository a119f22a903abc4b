import { z } from "zod";

/** A quota notification to POST to a user's webhook (queue `webhooks`). */
export const webhookJobSchema = z.object({
  id: z.uuid(),
  type: z.enum(["quota.exhausted", "quota.reset"]),
  user_id: z.uuid(),
  window: z.string(),
  limit: z.number().int().positive(),
  reset_at: z.iso.datetime(),
  occurred_at: z.iso.datetime(),
});
export type WebhookNotification = z.infer<typeof webhookJobSchema>;
