-- Continuous monitoring (docs/API.md "Findings changes"). Takes: scans. Leaves: `scans.findings_changed_at`, set when a
-- re-run of the scan's stored result (after an advisory change) finds different findings; null while they never
-- changed. The index serves "the scans of this result", which the re-run marks in the transaction that stores it.
ALTER TABLE scans ADD COLUMN findings_changed_at timestamptz;
CREATE INDEX IF NOT EXISTS scans_result_id_idx ON scans (result_id) WHERE result_id IS NOT NULL;
