import { type FileHandle, open } from "node:fs/promises";
import { crc32, inflateRawSync } from "node:zlib";
import yauzl from "yauzl";
import { AdvisoryFeedError } from "./advisory-feed-error.js";

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;
const STORED = 0;
const DEFLATED = 8;
/** Bytes read from disk at a time: OSV entries are a few KB and laid out in order, so one read serves hundreds. */
const READ_WINDOW_BYTES = 1 << 20;

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (error, zip) => {
      if (error || !zip) reject(new AdvisoryFeedError(`not a readable zip: ${error?.message}`, path));
      else resolve(zip);
    });
  });
}

function nextEntry(zip: yauzl.ZipFile, path: string): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
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
}

/**
 * Reads byte ranges of a file through a sliding window, so that entries laid out one after another cost one disk
 * read per window rather than two per entry (yauzl's read streams, with an inflate stream each, cost ~0.3 ms of CPU
 * per entry: most of a first sync of a large ecosystem).
 */
class WindowedReader {
  private start = 0;
  private window = Buffer.alloc(0);

  constructor(private readonly file: FileHandle) {}

  async bytesAt(offset: number, length: number): Promise<Buffer | undefined> {
    if (offset < this.start || offset + length > this.start + this.window.length) {
      const size = Math.max(length, READ_WINDOW_BYTES);
      const buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await this.file.read(buffer, 0, size, offset);
      this.start = offset;
      this.window = buffer.subarray(0, bytesRead);
      if (bytesRead < length) return undefined;
    }
    return this.window.subarray(offset - this.start, offset - this.start + length);
  }
}

/** One entry's text, checked against what the central directory says of it (size and CRC-32). */
async function readEntry(reader: WindowedReader, entry: yauzl.Entry): Promise<string> {
  const fail = (why: string) => new AdvisoryFeedError(`cannot read ${entry.fileName}: ${why}`, entry.fileName);
  if (entry.isEncrypted()) throw fail("encrypted entries are not supported");
  const header = await reader.bytesAt(entry.relativeOffsetOfLocalHeader, LOCAL_HEADER_BYTES);
  if (header === undefined || header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) throw fail("bad local file header");
  const dataOffset = entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
  const data = await reader.bytesAt(dataOffset, entry.compressedSize);
  if (data === undefined) throw fail("truncated");
  let body: Buffer;
  if (entry.compressionMethod === STORED) body = data;
  else if (entry.compressionMethod === DEFLATED) {
    try {
      // Never more than the declared size: a lying entry cannot inflate into gigabytes.
      body = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (error) {
      throw fail((error as Error).message);
    }
  } else throw fail(`compression method ${entry.compressionMethod} is not supported`);
  if (body.length !== entry.uncompressedSize || crc32(body) >>> 0 !== entry.crc32 >>> 0) throw fail("size or CRC-32 mismatch");
  return body.toString("utf8");
}

/** The `.json` files of a zip on disk, one at a time (name and text): only one entry is in memory at once. */
export async function* zipJsonEntries(path: string): AsyncGenerator<{ name: string; text: string }> {
  const zip = await openZip(path);
  const file = await open(path, "r");
  try {
    const reader = new WindowedReader(file);
    for (;;) {
      const entry = await nextEntry(zip, path);
      if (entry === null) return;
      if (entry.fileName.endsWith(".json")) yield { name: entry.fileName, text: await readEntry(reader, entry) };
    }
  } finally {
    zip.close();
    await file.close();
  }
}
