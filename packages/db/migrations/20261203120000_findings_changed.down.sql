-- Reverts 20261203120000_findings_changed.
DROP INDEX IF EXISTS scans_result_id_idx;
ALTER TABLE scans DROP COLUMN IF EXISTS findings_changed_at;
