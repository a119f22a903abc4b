import yauzl from "yauzl";
import { AdvisoryFeedError } from "./advisory-feed-error.js";

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (error, zip) => {
      if (error || !zip) reject(new AdvisoryFeedError(`not a readable zip: ${error?.message}`, path));
      else resolve(zip);
    });
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error || !stream) return reject(new AdvisoryFeedError(`cannot read ${entry.fileName}: ${error?.message}`, entry.fileName));
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (e) => reject(new AdvisoryFeedError(`cannot read ${entry.fileName}: ${e.message}`, entry.fileName)));
      stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
  });
}

/** The `.json` files of a zip on disk, one at a time (name and text): only one entry is in memory at once. */
export async function* zipJsonEntries(path: string): AsyncGenerator<{ name: string; text: string }> {
  const zip = await openZip(path);
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => done(() => resolve(e));
        const onEnd = () => done(() => resolve(null));
        const onError = (e: Error) => done(() => reject(new AdvisoryFeedError(`corrupt zip: ${e.message}`, path)));
        const done = (settle: () => void) => {
          zip.off("entry", onEntry).off("end", onEnd).off("error", onError);
          settle();
        };
        zip.on("entry", onEntry).on("end", onEnd).on("error", onError);
        zip.readEntry();
      });
      if (entry === null) return;
      if (entry.fileName.endsWith(".json")) yield { name: entry.fileName, text: await readEntry(zip, entry) };
    }
  } finally {
    zip.close();
  }
}
