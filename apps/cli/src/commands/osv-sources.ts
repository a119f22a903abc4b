import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import type { AdvisorySource } from "@secapi/core";
import yauzl from "yauzl";

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

function readZip(path: string, onFile: (name: string, text: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(new SourceError(`${path} is not a readable zip: ${error?.message}`));
      zip.on("error", reject);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith(".json")) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new SourceError(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("error", reject);
          stream.on("end", () => {
            onFile(entry.fileName, Buffer.concat(chunks).toString("utf8"));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/**
 * Reads OSV advisories from a JSON file, a directory of them (recursively), or a zip such as the public
 * per-ecosystem dumps (`https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip`).
 */
export async function readOsvSources(path: string, onFile?: (count: number) => void): Promise<AdvisorySource[]> {
  const info = await stat(path).catch(() => {
    throw new SourceError(`${path} does not exist`);
  });
  const sources: AdvisorySource[] = [];
  let files = 0;
  const add = (name: string, text: string) => {
    sources.push(...fromText(name, text));
    onFile?.(++files);
  };
  if (info.isDirectory()) {
    for await (const file of walk(path)) add(relative(path, file), await readFile(file, "utf8"));
  } else if (path.endsWith(".zip")) {
    await readZip(path, add);
  } else {
    add(path, await readFile(path, "utf8"));
  }
  return sources;
}
