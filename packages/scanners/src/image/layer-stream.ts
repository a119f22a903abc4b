import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Transform } from "node:stream";
import type { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress } from "fzstd";
import { ImageArchiveError } from "./image-archive-error.js";

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const BZIP2 = [0x42, 0x5a, 0x68];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a];

/** The stages that turn a staged layer blob into its tar bytes, chosen by the blob's magic bytes (media types lie). */
export async function layerStreams(file: string, digest: string): Promise<[Readable, Transform?]> {
  const magic = await readMagic(file);
  const starts = (bytes: number[]) => bytes.every((b, i) => magic[i] === b);
  if (starts(BZIP2) || starts(XZ)) {
    throw new ImageArchiveError(
      "image_layer_unsupported",
      `layer ${digest} is bzip2 or xz compressed; only gzip, zstd and plain tar layers are read`,
    );
  }
  const raw = createReadStream(file);
  if (starts(GZIP)) return [raw, createGunzip()];
  // Node 20's zlib has no zstd; fzstd is a pure-JS streaming decoder.
  if (starts(ZSTD)) return [raw, zstdDecompressor()];
  return [raw];
}

async function readMagic(file: string): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(8);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function zstdDecompressor(): Transform {
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        decoder.push(chunk);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        decoder.push(new Uint8Array(0), true);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  // fzstd may reuse its output buffer between calls: copy before handing it on.
  const decoder = new Decompress((data) => transform.push(Buffer.from(data)));
  return transform;
}
