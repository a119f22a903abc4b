-- Reverts 20261203100000_advisory_sync.
DROP INDEX IF EXISTS advisories_aliases_idx;
DROP TABLE IF EXISTS advisory_sync_state;
