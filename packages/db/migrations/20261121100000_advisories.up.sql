-- The local OSV advisory database. Takes: the initial schema. Leaves: advisories looked up by
-- (ecosystem, package name), upserted by id where a newer `modified` wins.

CREATE TABLE advisories (
  id          text PRIMARY KEY,
  modified    timestamptz NOT NULL,
  withdrawn   timestamptz,
  -- The parsed, normalised advisory the matcher consumes (@secapi/scanners Advisory).
  data        jsonb NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);

-- One row per (ecosystem, normalised name) an advisory affects: the lookup path of every scan.
CREATE TABLE advisory_packages (
  ecosystem   text NOT NULL,
  name        text NOT NULL,
  advisory_id text NOT NULL REFERENCES advisories (id) ON DELETE CASCADE,
  PRIMARY KEY (ecosystem, name, advisory_id)
);
CREATE INDEX advisory_packages_advisory_id_idx ON advisory_packages (advisory_id);
