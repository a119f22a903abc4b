/**
 * The paragraphs of a Debian control file (dpkg `status`): blank-line separated, `Key: value` fields,
 * continuation lines start with a space or tab. Field names are kept as written (dpkg's are case-sensitive in practice).
 */
export function controlParagraphs(text: string): Map<string, string>[] {
  const paragraphs: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let lastKey: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      if (current.size > 0) paragraphs.push(current);
      current = new Map();
      lastKey = undefined;
    } else if (/^[ \t]/.test(line)) {
      if (lastKey !== undefined) current.set(lastKey, `${current.get(lastKey) ?? ""}\n${line.trim()}`);
    } else {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      lastKey = line.slice(0, colon).trim();
      current.set(lastKey, line.slice(colon + 1).trim());
    }
  }
  if (current.size > 0) paragraphs.push(current);
  return paragraphs;
}
