/**
 * A tar entry's path as a relative path without `./` or a trailing `/` (`etc/os-release`); null for a path that
 * climbs out of the root (`../`) or is empty. Absolute paths are read relative to the root, as image tools do.
 */
export function normalizeEntryPath(name: string): string | null {
  const segments: string[] = [];
  for (const segment of name.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") return null;
    segments.push(segment);
  }
  return segments.length === 0 ? null : segments.join("/");
}
