/** The distribution an image is built on, from `/etc/os-release`: `{family: "debian", version: "12"}`. */
export interface ImageOs {
  /** os-release `ID` (`debian`, `alpine`, `ubuntu`). */
  family: string;
  /** os-release `VERSION_ID` as written (`12`, `3.19.1`); empty when the file has none (Debian testing). */
  version: string;
}

/** Parses os-release (`KEY=value`, values optionally quoted); null when it has no `ID`. */
export function parseOsRelease(text: string): ImageOs | null {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] === undefined || match[2] === undefined) continue;
    fields.set(match[1], match[2].replace(/^(["'])(.*)\1$/, "$2"));
  }
  const family = fields.get("ID")?.toLowerCase();
  return family === undefined || family === "" ? null : { family, version: fields.get("VERSION_ID") ?? "" };
}
