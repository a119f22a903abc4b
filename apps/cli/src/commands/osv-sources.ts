import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { AdvisoryFeedError, type AdvisorySource, zipJsonEntries } from "@secapi/core";

export class SourceError extends Error {
  readonly code = "advisory_source_invalid";
}

/** One file's advisories: a file holds one OSV object or an array of them. */
function fromText(source: string, text: string): AdvisorySource[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return [{ source, json: { invalidJson: (error as Error).message } }];
  }
  return Array.isArray(json) ? json.map((item, i) => ({ source: `${source}[${i}]`, json: item })) : [{ source, json }];
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith(".json")) yield path;
  }
}

/** The advisories of a zip's `.json` entries, one entry in memory at a time (yauzl reads the central directory). */
async function* zipSources(path: string): AsyncGenerator<AdvisorySource> {
  try {
    for await (const entry of zipJsonEntries(path)) yield* fromText(entry.name, entry.text);
  } catch (error) {
    if (error instanceof AdvisoryFeedError) throw new SourceError(`${path} is not a readable zip: ${error.message}`);
    throw error;
  }
}

async function* directorySources(dir: string): AsyncGenerator<AdvisorySource> {
  for await (const file of walk(dir)) yield* fromText(relative(dir, file), await readFile(file, "utf8"));
}

async function* fileSources(path: string): AsyncGenerator<AdvisorySource> {
  yield* fromText(path, await readFile(path, "utf8"));
}

/**
 * Opens OSV advisories in a JSON file, a directory of them (recursively), or a zip such as the public
 * per-ecosystem dumps (`https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip`), to be read as
 * a stream: a dump of any size is never held in memory at once. Throws at once if the path does not exist.
 */
export async function openOsvSources(path: string): Promise<AsyncIterable<AdvisorySource>> {
  const info = await stat(path).catch(() => {
    throw new SourceError(`${path} does not exist`);
  });
  if (info.isDirectory()) return directorySources(path);
  return path.endsWith(".zip") ? zipSources(path) : fileSources(path);
}
