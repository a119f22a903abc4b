import parsePrometheusTextFormat from "parse-prometheus-text-format";

export interface ScrapedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** Family name → type ("counter", "gauge", "histogram"). */
  types: Map<string, string>;
  /** Every sample line with its full label set (`_bucket`/`_sum`/`_count` lines of histograms included). */
  samples: ScrapedSample[];
}

/**
 * Parses exposition text. The parser folds a histogram's samples into one object and drops their labels,
 * so samples are read from the text without its TYPE lines, where each line is an untyped sample of its own.
 */
export function parseScrape(text: string): Scrape {
  const types = new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family.type.toLowerCase()]));
  const untyped = text
    .split("\n")
    .filter((line) => !line.startsWith("# TYPE"))
    .join("\n");
  const samples = parsePrometheusTextFormat(untyped).flatMap((family) =>
    family.metrics.map((sample) => ({ name: family.name, labels: sample.labels ?? {}, value: Number(sample.value) })),
  );
  return { types, samples };
}

/** The samples of one series name, e.g. `secapi_cache_hits_total` or `secapi_scan_duration_seconds_count`. */
export function samplesOf(scrape: Scrape, name: string): ScrapedSample[] {
  return scrape.samples.filter((sample) => sample.name === name);
}
