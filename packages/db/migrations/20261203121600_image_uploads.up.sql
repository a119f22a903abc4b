-- Image archives uploaded through `POST /api/v1/scan/image`, on their way from the API to a scan-worker (which may
-- run on another machine). Takes: the users table. Leaves: `image_uploads`, one row per upload (owner, the
-- archive's `sha256:<hex>`, size, complete once every chunk is written), and `image_upload_chunks`, its bytes in
-- order (`seq` from 0, about 4 MB each, so that neither side ever holds the archive in memory). An upload is
-- deleted once a worker has analysed it (or when its submission did not start a run); one left behind by a crash
-- is swept after 24 h (`image_uploads_created_idx`).
CREATE TABLE image_uploads (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  digest      text NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
  size        bigint NOT NULL DEFAULT 0,
  complete    boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX image_uploads_created_idx ON image_uploads (created_at);

CREATE TABLE image_upload_chunks (
  upload_id  uuid NOT NULL REFERENCES image_uploads (id) ON DELETE CASCADE,
  seq        integer NOT NULL CHECK (seq >= 0),
  data       bytea NOT NULL,
  PRIMARY KEY (upload_id, seq)
);
-- Chunks are written and read whole: no compression (archives of layers are compressed already), no TOAST detour.
ALTER TABLE image_upload_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
