-- Reverts 20261203100000_advisory_sync.
DROP TABLE IF EXISTS advisory_sync_state;
