/** Words of PromQL that look like metric names but are not. */
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"]);

/**
 * The metric names a PromQL expression selects. A lexical approximation that is enough for our own
 * expressions: strings, label matchers, ranges and grouping lists are removed, then every identifier that is
 * not a keyword and not called like a function is a metric name.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/\$__\w+/g, "5m")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])[a-zA-Z_:][\w:]*/g)) {
    const following = stripped.slice(match.index + match[0].length).trimStart();
    if (KEYWORDS.has(match[0]) || following.startsWith("(")) continue;
    names.add(match[0]);
  }
  return [...names];
}

/** The `job` label values an expression selects (`job="x"` or `job=~"x|y"`). */
export function jobsSelected(expr: string): string[] {
  return [...expr.matchAll(/\bjob\s*=~?\s*"([^"]*)"/g)].flatMap((match) => (match[1] ?? "").split("|"));
}

/**
 * The samples of a text-format scrape as promtool series descriptions (`name{labels}` → value). The
 * exposition format escapes label values the way PromQL strings do, so a sample line's left part is
 * already a valid series description.
 */
export function scrapeSeries(text: string, include: (name: string) => boolean): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    const description = line.slice(0, space);
    const name = /^[a-zA-Z_:][\w:]*/.exec(description)?.[0] ?? "";
    if (include(name)) series.set(description, Number(line.slice(space + 1)));
  }
  return series;
}
