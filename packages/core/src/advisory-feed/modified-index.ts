/** One line of an OSV `modified_id.csv`: when an advisory last changed, and its id. */
export interface ModifiedEntry {
  modified: string;
  id: string;
}

/**
 * The entries of a `modified_id.csv` (`<modified RFC 3339>,<id>`, newest first) changed after `since`, each id
 * once. The per-ecosystem file names bare ids; the bucket-wide one `<ecosystem>/<id>`: both are read.
 */
export function changedSince(csv: string, since: string): ModifiedEntry[] {
  const cutoff = Date.parse(since);
  const seen = new Set<string>();
  const changed: ModifiedEntry[] = [];
  for (const line of csv.split("\n")) {
    const comma = line.indexOf(",");
    if (comma < 0) continue;
    const modified = line.slice(0, comma).trim();
    const id =
      line
        .slice(comma + 1)
        .trim()
        .split("/")
        .at(-1) ?? "";
    const time = Date.parse(modified);
    if (!id || Number.isNaN(time)) continue;
    // Newest first: the first line not after the cursor ends the changes.
    if (time <= cutoff) break;
    if (seen.has(id)) continue;
    seen.add(id);
    changed.push({ modified, id });
  }
  return changed;
}
