-- Where the advisory feed sync stands, per ecosystem. Takes: the advisories schema. Leaves: one row per
-- ecosystem of ADVISORY_SOURCES that a sync has tried, with the cursor of the last sync that committed and the
-- outcome of the last attempt. A sync advances `cursor_modified` only in the transaction that stores the
-- advisories it read, so a crash or a failure leaves both as they were and the next sync starts over from there.

CREATE TABLE advisory_sync_state (
  ecosystem             text PRIMARY KEY,
  -- The feed's base URL (ADVISORY_SYNC_URL) the state belongs to: another source starts again from all.zip.
  source                text NOT NULL,
  -- The newest `modified` stored from this feed; null until a full import (all.zip) committed.
  cursor_modified       timestamptz,
  -- Validators of the last modified_id.csv read, for a conditional request next time.
  index_etag            text,
  index_last_modified   text,
  last_attempt_at       timestamptz,
  last_success_at       timestamptz,
  -- 'ok' | 'unchanged' | 'failed'
  last_outcome          text,
  last_error            text,
  last_duration_ms      integer,
  -- Advisories written by the last successful sync.
  last_changed          integer NOT NULL DEFAULT 0
);

-- `GET /api/v1/advisories/:id` finds an advisory by any of its aliases (a CVE id for a GHSA advisory).
CREATE INDEX advisories_aliases_idx ON advisories USING gin ((data -> 'aliases'));
