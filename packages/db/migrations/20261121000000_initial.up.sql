-- Initial schema: users and API keys, scans and their content-addressed results, the encrypted
-- inputs waiting for a worker, the transactional outbox, usage and idempotency records.
-- Takes: an empty database. Leaves: every table SecAPI needs, with the indexes of its real queries.

CREATE TABLE users (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email       text NOT NULL,
  tier        text NOT NULL CHECK (tier IN ('free', 'starter', 'pro', 'business')),
  role        text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  webhook_url text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Emails are compared case-insensitively: Alice@x and alice@x are one user.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Only the SHA-256 of a key is stored; `prefix` is the short visible part that lets a user tell keys apart.
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  key_hash     char(64) NOT NULL UNIQUE,
  prefix       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);
CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);

-- One row per distinct input (type, owner for private types, hash): rerunning an input replaces its result.
CREATE TABLE scan_results (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scan_type   text NOT NULL,
  owner_id    uuid REFERENCES users (id) ON DELETE CASCADE,
  input_hash  char(64) NOT NULL,
  result      jsonb NOT NULL,
  tags        text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX scan_results_input_key ON scan_results (scan_type, input_hash, owner_id) NULLS NOT DISTINCT;
CREATE INDEX scan_results_tags_idx ON scan_results USING gin (tags);

-- One row per request. Identical inputs share one result and, while in flight, one job: `job_id` is the
-- BullMQ job (coalescing key plus the id of the scan that started that run) every row of a run points to.
CREATE TABLE scans (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  scan_type     text NOT NULL,
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  input_hash    char(64) NOT NULL,
  owner_scoped  boolean NOT NULL DEFAULT false,
  job_id        text,
  cached        boolean NOT NULL DEFAULT false,
  result_id     uuid REFERENCES scan_results (id) ON DELETE SET NULL,
  error         text,
  error_code    text,
  -- Millisecond precision so that a JavaScript Date in a list cursor compares exactly.
  created_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
  started_at    timestamptz,
  completed_at  timestamptz
);
CREATE INDEX scans_user_created_idx ON scans (user_id, created_at DESC, id DESC);
CREATE INDEX scans_status_type_idx ON scans (status, scan_type);
CREATE INDEX scans_input_hash_idx ON scans (input_hash, scan_type);
CREATE INDEX scans_in_flight_job_idx ON scans (job_id) WHERE status IN ('queued', 'running');

-- The sealed (AES-256-GCM) input of an input that has a job waiting or running; deleted once it finishes.
CREATE TABLE scan_inputs (
  scan_type   text NOT NULL,
  owner_id    uuid REFERENCES users (id) ON DELETE CASCADE,
  input_hash  char(64) NOT NULL,
  sealed      bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX scan_inputs_key ON scan_inputs (scan_type, input_hash, owner_id) NULLS NOT DISTINCT;

-- Messages written in the transaction of the change they describe; the relay moves them to BullMQ.
CREATE TABLE outbox (
  id          bigserial PRIMARY KEY,
  queue       text NOT NULL,
  job_name    text NOT NULL,
  job_id      text NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text
);

-- Durable metering: the monthly scan quota is rebuilt from these rows when Redis has lost it.
CREATE TABLE api_usage (
  id          bigserial PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('scan')),
  cost        integer NOT NULL DEFAULT 1,
  scan_id     uuid,
  "timestamp" timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_usage_user_timestamp_idx ON api_usage (user_id, "timestamp" DESC);

-- The first response to (user, Idempotency-Key), replayed for 24 h. The row is inserted first, as a lock
-- that makes a concurrent request with the same key wait, and gets its response in the same transaction.
CREATE TABLE idempotency_keys (
  user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  key              text NOT NULL,
  request_hash     char(64) NOT NULL,
  response_status  integer,
  response_body    jsonb,
  response_headers jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
