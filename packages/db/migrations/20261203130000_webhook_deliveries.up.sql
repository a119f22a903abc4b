-- Durable webhook de-duplication: at most one successful delivery per (user, notice id), however often the notice
-- is queued again (BullMQ's job ids are forgotten once a job's retention ends or the queue Redis is lost, and the
-- outbox then relays the event again). Takes: users. Leaves: `webhook_deliveries`, one row per notice a worker
-- claimed (`claim_token` set, `claimed_until` its lease, `delivered_at` null) or delivered (`delivered_at` set,
-- claim cleared). A failed attempt deletes its claim so a retry can claim again; a claim whose worker died lapses
-- at `claimed_until` (Postgres' clock, so the workers' clocks do not matter). Rows are swept by `created_at`.
CREATE TABLE webhook_deliveries (
  user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  notice_id      uuid NOT NULL,
  notice_type    text NOT NULL,
  claim_token    uuid,
  claimed_until  timestamptz,
  delivered_at   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, notice_id),
  -- Either claimed (token and lease) or delivered (neither), never both or none.
  CONSTRAINT webhook_deliveries_state_check CHECK (
    (delivered_at IS NULL AND claim_token IS NOT NULL AND claimed_until IS NOT NULL)
    OR (delivered_at IS NOT NULL AND claim_token IS NULL AND claimed_until IS NULL)
  )
);
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);
