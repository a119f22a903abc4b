import type { Generated, Selectable } from "kysely";

/** A webhook notice claimed by a worker (token and lease set) or delivered (`delivered_at` set). */
export interface WebhookDeliveriesTable {
  user_id: string;
  notice_id: string;
  notice_type: string;
  claim_token: string | null;
  claimed_until: Date | null;
  delivered_at: Date | null;
  created_at: Generated<Date>;
}
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
