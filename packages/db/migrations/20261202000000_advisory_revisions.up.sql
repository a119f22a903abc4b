-- When a stored result is current. Takes: the advisories schema. Leaves: a revision counter of the advisory
-- database, the revision at which each package's advisories last changed, and on every result the revision it
-- was computed against plus the moment it stops being true (an advisory it matched is withdrawn then).
-- A result is current while no package it covers changed after its revision and `valid_until` has not passed.

-- One row. An import that changes anything increments it in its own transaction, so readers see the new
-- revision exactly when they see the new advisories.
CREATE TABLE advisory_revision (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  revision  bigint NOT NULL
);
INSERT INTO advisory_revision (singleton, revision) VALUES (true, 0);

-- Keyed by the package's result tag (`pkg:<ecosystem>/<name>`, as in scan_results.tags), so a result's
-- currency is a lookup of its own tags.
CREATE TABLE advisory_package_revisions (
  tag       text PRIMARY KEY,
  revision  bigint NOT NULL
);

-- Results stored before this migration were computed against the advisories then stored: revision 0.
ALTER TABLE scan_results
  ADD COLUMN advisory_revision bigint NOT NULL DEFAULT 0,
  ADD COLUMN valid_until timestamptz;

-- The version of the parser that prepared `data`: an import by a newer parser replaces a copy prepared by an
-- older one even when `modified` is the same (the stored form is the parse, not the raw OSV).
ALTER TABLE advisories ADD COLUMN parser_version integer NOT NULL DEFAULT 1;
