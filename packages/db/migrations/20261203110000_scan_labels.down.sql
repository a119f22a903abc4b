-- Reverts 20261203110000_scan_labels.
DROP INDEX IF EXISTS scans_labels_idx;
ALTER TABLE scans DROP COLUMN IF EXISTS labels;
