-- Labels on scans (docs/API.md "Labels"). Takes: the scans table. Leaves: `scans.labels`, a jsonb object of short
-- string labels the submitter chose (`{"project": "web", "ref": "main"}`; `{}` when none), and a GIN index that
-- serves the list's label filters (`labels @> '{"project":"web"}'`). Labels are never part of the input hash:
-- scans of one input with different labels share one result.
ALTER TABLE scans ADD COLUMN labels jsonb NOT NULL DEFAULT '{}'::jsonb;
CREATE INDEX scans_labels_idx ON scans USING gin (labels jsonb_path_ops);
