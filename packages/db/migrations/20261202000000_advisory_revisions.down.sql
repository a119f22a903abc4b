-- Reverts 20261202000000_advisory_revisions.
ALTER TABLE advisories DROP COLUMN IF EXISTS parser_version;
ALTER TABLE scan_results DROP COLUMN IF EXISTS valid_until, DROP COLUMN IF EXISTS advisory_revision;
DROP TABLE IF EXISTS advisory_package_revisions;
DROP TABLE IF EXISTS advisory_revision;
